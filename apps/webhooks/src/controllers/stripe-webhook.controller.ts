/**
 * Ack policy of POST /webhooks/stripe:
 * - 413 payload_too_large for a body over WEBHOOK_MAX_BODY_BYTES (refused before it is read, see the body
 *   middleware); 400 signature_invalid for a missing, malformed, forged or stale/future signature; 400
 *   validation_failed for an empty body or a signed body that is not an event. Each is a logged security
 *   event and counted; nothing is stored.
 * - 200 only once the event is durably recorded in the inbox (its insert committed) and JetStream has
 *   acknowledged its publication. A failed JetStream publication still answers 200: the row is committed and
 *   the relay publishes it. A database failure answers 500, so Stripe retries.
 * - A duplicate delivery answers 200 `{received: true, duplicate: true}` and has no second effect.
 *
 * The route is a plain Express handler mounted ahead of Nest's router (see webhooks.definition.ts): it is the
 * hot path, and Nest's per-request pipeline (router, body parsers, interceptors, response serialisation) cost
 * more CPU than the handler's own work. Errors are answered with the same envelope as the app's filter.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import type { Logger } from 'pino';
import { DomainError, ErrorCode } from '@tollgate/contracts';
import { LOGGER, toEnvelope } from '@tollgate/service-runtime';
import { isInvalid, parseStripeEventEnvelope } from '../services/stripe-event-envelope.transform';
import { StripeEventIngestService, type IngestOutcome } from '../services/stripe-event-ingest.service';
import { StripeSignatureVerifier } from '../services/stripe-signature.verifier';
import { WebhookMetrics, type RejectionReason } from '../services/webhook-metrics';
import type { RawBodyRequest } from './stripe-webhook-body.middleware';

export interface WebhookAck {
  received: true;
  duplicate?: true;
  ignored?: true;
}

const ACKS: Record<IngestOutcome, string> = {
  published: JSON.stringify({ received: true } satisfies WebhookAck),
  recorded: JSON.stringify({ received: true } satisfies WebhookAck),
  duplicate: JSON.stringify({ received: true, duplicate: true } satisfies WebhookAck),
  ignored: JSON.stringify({ received: true, ignored: true } satisfies WebhookAck),
};

@Injectable()
export class StripeWebhookController {
  constructor(
    private readonly verifier: StripeSignatureVerifier,
    private readonly ingest: StripeEventIngestService,
    private readonly metrics: WebhookMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The Express handler of POST /webhooks/stripe, after the body middleware has read the raw body. */
  readonly handle = (req: RawBodyRequest, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST') return next();
    this.receive(req).then(
      (outcome) => send(res, 200, ACKS[outcome]),
      (error: unknown) => {
        const { status, body, unexpected } = toEnvelope(error);
        if (unexpected) this.logger.error({ err: error }, 'unhandled error');
        send(res, status, JSON.stringify(body));
      },
    );
  };

  async receive(req: RawBodyRequest): Promise<IngestOutcome> {
    const started = process.hrtime.bigint();
    const raw = req.rawBody ?? Buffer.alloc(0);
    if (raw.length === 0) throw this.reject(req, 'empty_body', ErrorCode.ValidationFailed, 'empty body');
    const header = req.headers['stripe-signature'];
    const verdict = this.verifier.verify(raw, Array.isArray(header) ? header.join(',') : header);
    if (!verdict.ok)
      throw this.reject(req, verdict.reason, ErrorCode.SignatureInvalid, 'invalid Stripe signature');
    const event = parseStripeEventEnvelope(raw);
    if (isInvalid(event))
      throw this.reject(req, 'payload_malformed', ErrorCode.ValidationFailed, event.invalid);

    const outcome = await this.ingest.ingest(raw, event, 'webhook');
    this.metrics.ackSeconds.observe({ outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    return outcome;
  }

  private reject(
    req: RawBodyRequest,
    reason: RejectionReason,
    code: ErrorCode,
    message: string,
  ): DomainError {
    this.metrics.reject(reason);
    this.logger.warn(
      { security: 'webhook_rejected', reason, ip: req.ip, bytes: req.rawBody?.length ?? 0 },
      'refused a Stripe webhook delivery',
    );
    return new DomainError(code, message);
  }
}

function send(res: Response, status: number, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

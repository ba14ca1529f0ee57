/**
 * Ack policy of POST /webhooks/stripe:
 * - 413 payload_too_large for a body over WEBHOOK_MAX_BODY_BYTES (refused before it is read in full, see
 *   raw-body.reader.ts); 400 signature_invalid for a missing, malformed, forged or stale/future signature; 400
 *   validation_failed for an empty body or a signed body that is not an event. Each is a logged security
 *   event and counted; nothing is stored.
 * - 200 only once the event is durably recorded in the inbox (its insert committed) and JetStream has
 *   acknowledged its publication. A failed JetStream publication still answers 200: the row is committed and
 *   the relay publishes it. A database failure answers 500, so Stripe retries.
 * - A duplicate delivery answers 200 `{received: true, duplicate: true}` and has no second effect.
 *
 * The route is a plain node:http handler that the server calls ahead of Express and Nest (see
 * webhooks.definition.ts): it is the hot path, and the framework's per-request pipeline (router, body
 * parsers, interceptors, response serialisation) cost more CPU than the handler's own work. It carries a
 * correlation id like every other route, and answers errors with the same envelope as the app's filter.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { DomainError, ErrorCode, Header } from '@tollgate/contracts';
import { newCorrelationId, sanitizeCorrelationId, withCorrelation } from '@tollgate/observability';
import { LOGGER, toEnvelope } from '@tollgate/service-runtime';
import { isInvalid, parseStripeEventEnvelope } from '../services/stripe-event-envelope.transform';
import { StripeEventIngestService, type IngestOutcome } from '../services/stripe-event-ingest.service';
import { StripeSignatureVerifier } from '../services/stripe-signature.verifier';
import { WebhookMetrics, type RejectionReason } from '../services/webhook-metrics';
import { WebhooksConfig } from '../webhooks.config';
import { readRawBody } from './raw-body.reader';

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
    private readonly config: WebhooksConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The node:http handler of POST /webhooks/stripe. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.metrics.received.inc();
    const correlationId = sanitizeCorrelationId(req.headers[Header.CorrelationId]) ?? newCorrelationId();
    res.setHeader(Header.CorrelationId, correlationId);
    withCorrelation(correlationId, () =>
      readRawBody(req, this.config.WEBHOOK_MAX_BODY_BYTES, {
        body: (raw) =>
          void this.receive(req, raw).then(
            (outcome) => send(res, 200, ACKS[outcome]),
            (error: unknown) => this.fail(res, error),
          ),
        tooLarge: (declaredBytes) => {
          this.metrics.reject('payload_too_large');
          this.logger.warn(
            { security: 'webhook_rejected', reason: 'payload_too_large', ip: ipOf(req), declaredBytes },
            'refused a Stripe webhook delivery',
          );
          const error = new DomainError(
            ErrorCode.PayloadTooLarge,
            `webhook body exceeds ${this.config.WEBHOOK_MAX_BODY_BYTES} bytes`,
          );
          // Close the connection rather than read (and discard) the rest of an oversized body.
          send(res, 413, JSON.stringify(error.toEnvelope()), true);
        },
        failed: () => res.destroy(),
      }),
    );
  };

  async receive(req: IncomingMessage, raw: Buffer): Promise<IngestOutcome> {
    const started = process.hrtime.bigint();
    if (raw.length === 0) throw this.reject(req, raw, 'empty_body', ErrorCode.ValidationFailed, 'empty body');
    const header = req.headers['stripe-signature'];
    const verdict = this.verifier.verify(raw, Array.isArray(header) ? header.join(',') : header);
    if (!verdict.ok)
      throw this.reject(req, raw, verdict.reason, ErrorCode.SignatureInvalid, 'invalid Stripe signature');
    const event = parseStripeEventEnvelope(raw);
    if (isInvalid(event))
      throw this.reject(req, raw, 'payload_malformed', ErrorCode.ValidationFailed, event.invalid);

    const outcome = await this.ingest.ingest(raw, event, 'webhook');
    this.metrics.ackSeconds.observe({ outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    return outcome;
  }

  private fail(res: ServerResponse, error: unknown): void {
    const { status, body, unexpected } = toEnvelope(error);
    if (unexpected) this.logger.error({ err: error }, 'unhandled error');
    send(res, status, JSON.stringify(body));
  }

  private reject(
    req: IncomingMessage,
    raw: Buffer,
    reason: RejectionReason,
    code: ErrorCode,
    message: string,
  ): DomainError {
    this.metrics.reject(reason);
    this.logger.warn(
      { security: 'webhook_rejected', reason, ip: ipOf(req), bytes: raw.length },
      'refused a Stripe webhook delivery',
    );
    return new DomainError(code, message);
  }
}

function ipOf(req: IncomingMessage): string | undefined {
  return req.socket.remoteAddress;
}

function send(res: ServerResponse, status: number, body: string, close = false): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

/**
 * Catch-up after an outage longer than Stripe's own retries: list events since a time through the Events API
 * and feed the ones the inbox has never seen through the same record-then-publish path as a webhook delivery,
 * oldest first. Running it twice, or while deliveries arrive, is safe: the inbox decides what is new.
 * It looks back no further than a day inside the inbox's retention (InboxRetentionService): older ids may have
 * been deleted, so the inbox could no longer tell which of those events are new. With the minimum retention
 * (31 days) that is exactly the 30 days Stripe's Events API lists.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError, ErrorCode, type CatchUpReply } from '@tollgate/contracts';
import { LOGGER } from '@tollgate/service-runtime';
import { StripeEventsAdapter } from '../adapters/stripe-events.adapter';
import { StripeEventRepository } from '../repositories/stripe-event.repository';
import {
  isInvalid,
  toStripeEventEnvelope,
  type StripeEventEnvelope,
} from './stripe-event-envelope.transform';
import { InboxRetentionService } from './inbox-retention.service';
import { StripeEventIngestService } from './stripe-event-ingest.service';

/** Catch-up stays this far inside the retention, so that no pass prunes an id while it is being compared. */
const RETENTION_MARGIN_SECONDS = 86_400;

@Injectable()
export class CatchUpService {
  constructor(
    private readonly stripeEvents: StripeEventsAdapter,
    private readonly inbox: StripeEventRepository,
    private readonly ingest: StripeEventIngestService,
    private readonly retention: InboxRetentionService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async catchUp(requestedSince: number): Promise<CatchUpReply> {
    if (!this.stripeEvents.configured)
      throw new DomainError(ErrorCode.UpstreamUnavailable, 'catch-up needs STRIPE_SECRET_KEY');
    const since = this.earliestComparable(requestedSince);
    const listed: { envelope: StripeEventEnvelope; raw: Buffer }[] = [];
    try {
      for await (const event of this.stripeEvents.listSince(since)) {
        const envelope = toStripeEventEnvelope(event);
        if (isInvalid(envelope)) {
          this.logger.warn(
            { eventId: event.id, problem: envelope.invalid },
            'catch-up skipped a malformed event',
          );
          continue;
        }
        listed.push({ envelope, raw: Buffer.from(JSON.stringify(event)) });
      }
    } catch (error) {
      this.logger.error({ err: error }, 'listing Stripe events failed');
      throw new DomainError(
        ErrorCode.StripeError,
        `listing Stripe events failed: ${(error as Error).message}`,
      );
    }
    const known = await this.inbox.knownIds(listed.map((e) => e.envelope.id));
    const unseen = listed
      .filter((e) => !known.has(e.envelope.id))
      .sort((a, b) => a.envelope.created - b.envelope.created);
    let fed = 0;
    for (const { envelope, raw } of unseen) {
      const outcome = await this.ingest.ingest(raw, envelope, 'catch_up');
      if (outcome !== 'duplicate') fed++;
    }
    // Done means done: every event fed is marked published in the inbox before the answer.
    await this.ingest.marksSettled();
    const reply = { listed: listed.length, alreadySeen: listed.length - fed, fed };
    this.logger.info({ since, ...reply }, 'catch-up done');
    return reply;
  }

  private earliestComparable(requestedSince: number): number {
    const horizon = this.retention.horizon();
    if (!horizon) return requestedSince;
    const earliest = Math.ceil(horizon.getTime() / 1000) + RETENTION_MARGIN_SECONDS;
    if (requestedSince >= earliest) return requestedSince;
    this.logger.warn(
      { requestedSince, since: earliest },
      'catch-up looks back no further than the inbox retention allows',
    );
    return earliest;
  }
}

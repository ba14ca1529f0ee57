/**
 * Answers the operator request/reply subjects (WebhooksSubject): dead letters, the event explorer, catch-up,
 * and republishing what the broker lost.
 */
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  CatchUpRequest,
  DeadLetterListRequest,
  DomainError,
  ErrorCode,
  IdRequest,
  RepublishRequest,
  republishWindow,
  WebhooksSubject,
  type RepublishReply,
} from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';
import { LOGGER } from '@tollgate/service-runtime';
import { StripeEventRepository } from '../repositories/stripe-event.repository';
import { CatchUpService } from '../services/catch-up.service';
import { DeadLetterService } from '../services/dead-letter.service';

export const OPERATOR_QUEUE = 'webhooks';

@Injectable()
export class OperatorRequestsHandler implements OnApplicationBootstrap {
  constructor(
    private readonly bus: NatsBus,
    private readonly deadLetters: DeadLetterService,
    private readonly inbox: StripeEventRepository,
    private readonly catchUp: CatchUpService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const queue = { queue: OPERATOR_QUEUE };
    this.bus.serve(
      WebhooksSubject.ListDeadLetters,
      DeadLetterListRequest,
      (req) => this.deadLetters.list(req),
      queue,
    );
    this.bus.serve(WebhooksSubject.GetDeadLetter, IdRequest, (req) => this.deadLetters.get(req.id), queue);
    this.bus.serve(
      WebhooksSubject.ReplayDeadLetter,
      IdRequest,
      (req) => this.deadLetters.replay(req.id),
      queue,
    );
    this.bus.serve(
      WebhooksSubject.ListEvents,
      DeadLetterListRequest,
      async (req) => {
        const limit = req.limit ?? 50;
        const data = await this.inbox.list({ limit, cursor: req.cursor, status: req.status });
        const last = data[data.length - 1];
        return { data, nextCursor: data.length === limit && last ? last.id : null };
      },
      queue,
    );
    this.bus.serve(
      WebhooksSubject.GetEvent,
      IdRequest,
      async (req) => {
        const event = await this.inbox.get(req.id);
        if (!event) throw new DomainError(ErrorCode.NotFound, `no event ${req.id}`);
        return event;
      },
      queue,
    );
    this.bus.serve(WebhooksSubject.CatchUp, CatchUpRequest, (req) => this.catchUp.catchUp(req.since), queue);
    this.bus.serve(WebhooksSubject.Republish, RepublishRequest, (req) => this.republish(req), queue);
  }

  /** Hands the events published in the window back to the relay (see StripeEventRepository.requeuePublished). */
  private async republish(request: RepublishRequest): Promise<RepublishReply> {
    const { since, until } = republishWindow(request);
    const requeued = await this.inbox.requeuePublished(since, until);
    this.logger.warn(
      { since: request.since, until: request.until, requeued },
      'operator handed published events back to the relay',
    );
    return { requeued };
  }
}

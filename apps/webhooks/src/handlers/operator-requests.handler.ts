/** Answers the operator request/reply subjects (WebhooksSubject): dead letters, the event explorer, catch-up. */
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import {
  CatchUpRequest,
  DeadLetterListRequest,
  DomainError,
  ErrorCode,
  IdRequest,
  WebhooksSubject,
} from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';
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
  }
}

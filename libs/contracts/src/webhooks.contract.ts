import { IsInt, IsOptional, IsString, MaxLength, Min, Max, IsNotEmpty } from 'class-validator';
import { DomainError, ErrorCode } from './errors';

/** Operator request/reply subjects owned by the webhooks service (the event inbox and dead letters). */
export const WebhooksSubject = {
  ListDeadLetters: 'webhooks.deadletters.list.v1',
  GetDeadLetter: 'webhooks.deadletters.get.v1',
  ReplayDeadLetter: 'webhooks.deadletters.replay.v1',
  ListEvents: 'webhooks.events.list.v1',
  GetEvent: 'webhooks.events.get.v1',
  CatchUp: 'webhooks.catchup.v1',
  Republish: 'webhooks.events.republish.v1',
} as const;

/**
 * Header on a message republished from a dead letter, naming the dead letter. Its Nats-Msg-Id is
 * `replay:<deadLetterId>:<n>`; consumers dedupe a replay on the event's own id like any redelivery.
 */
export const REPLAY_OF_HEADER = 'tollgate-replay-of';

export class DeadLetterListRequest {
  @IsOptional() @IsString() @MaxLength(200) cursor?: string;
  @IsOptional() @IsInt() @Min(1) @Max(100) limit?: number;
  @IsOptional() @IsString() @MaxLength(50) status?: string;
}

export class IdRequest {
  @IsString() @IsNotEmpty() @MaxLength(200) id!: string;
}

export class CatchUpRequest {
  /** Unix seconds; events created at or after this time are listed from Stripe. */
  @IsInt() @Min(0) since!: number;
}

/**
 * Publish again what a relay marked published in a window (the webhooks inbox, billing's outbox), after the
 * broker lost messages it had acknowledged (a single, unreplicated JetStream server's OS crash before its
 * fsync; see docs/operations.md). Unix seconds, on the time each was published: `since` inclusive, `until`
 * exclusive.
 */
export class RepublishRequest {
  @IsInt() @Min(0) since!: number;
  @IsOptional() @IsInt() @Min(0) until?: number;
}

export interface RepublishReply {
  /** Messages handed back to the relay, which publishes them again under their own Nats-Msg-Id. */
  requeued: number;
}

/** The request's window as times; a window that ends before it starts is refused. */
export function republishWindow({ since, until }: RepublishRequest): { since: Date; until: Date | null } {
  if (until !== undefined && until <= since)
    throw new DomainError(ErrorCode.ValidationFailed, `until (${until}) must be after since (${since})`);
  return { since: new Date(since * 1000), until: until === undefined ? null : new Date(until * 1000) };
}

export interface DeadLetter {
  id: string;
  consumer: string;
  subject: string;
  reason: string;
  payload: unknown;
  status: 'open' | 'replayed';
  replayCount: number;
  createdAt: string;
  replayedAt: string | null;
}

export interface InboxEvent {
  id: string;
  type: string;
  status: 'received' | 'published' | 'ignored';
  livemode: boolean;
  stripeCreatedAt: string;
  receivedAt: string;
  publishedAt: string | null;
}

export interface CatchUpReply {
  listed: number;
  alreadySeen: number;
  fed: number;
}

export interface WebhooksRequests {
  [WebhooksSubject.ListDeadLetters]: {
    request: DeadLetterListRequest;
    reply: { data: DeadLetter[]; nextCursor: string | null };
  };
  [WebhooksSubject.GetDeadLetter]: { request: IdRequest; reply: DeadLetter };
  [WebhooksSubject.ReplayDeadLetter]: { request: IdRequest; reply: DeadLetter };
  [WebhooksSubject.ListEvents]: {
    request: DeadLetterListRequest;
    reply: { data: InboxEvent[]; nextCursor: string | null };
  };
  [WebhooksSubject.GetEvent]: { request: IdRequest; reply: InboxEvent & { payload: unknown } };
  [WebhooksSubject.CatchUp]: { request: CatchUpRequest; reply: CatchUpReply };
  [WebhooksSubject.Republish]: { request: RepublishRequest; reply: RepublishReply };
}

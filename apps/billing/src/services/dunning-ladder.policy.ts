/**
 * The dunning ladder (seed 004; the days are configurable, see billing.config.ts):
 *   day 0  the renewal payment fails      → past_due, stage payment_failed, email payment_failed, in-app banner
 *   day 3  Stripe's 2nd attempt           → stage reminder, email payment_reminder
 *   day 5  Stripe's 3rd attempt           → stage urgent, email payment_urgent
 *   day 7  grace ends                     → suspended (read-only), email suspended
 *   a successful payment at any point     → active at once, email reactivated
 * Days count from the first failed attempt (`since`), in Stripe's time (the customer's test clock in tests).
 * Retries are Stripe's (configure its schedule to retry 3 and 5 days after the failure and then leave the
 * subscription past_due); the stages are Tollgate's: a Stripe event or the scheduler, whichever sees the time
 * first, moves the stage forward, and a stage is only ever entered once, so each email goes once. A stage
 * that was overtaken (the scheduler woke up late) is skipped rather than mailed out of date. A stage due at
 * about the time of one of Stripe's retries waits for that retry's outcome, for at most `retryWaitMinutes`
 * (see `awaitsRetry`). Pure.
 */
import type { NotificationKind } from '@tollgate/contracts';

export interface DunningLadder {
  reminderDays: number;
  urgentDays: number;
  graceDays: number;
  /** Longest a due stage waits, from its start, for a Stripe retry scheduled at about the same time. */
  retryWaitMinutes: number;
}

export const DEFAULT_LADDER: DunningLadder = {
  reminderDays: 3,
  urgentDays: 5,
  graceDays: 7,
  retryWaitMinutes: 120,
};

export const LADDER_STAGES = ['payment_failed', 'reminder', 'urgent', 'suspended'] as const;
export type LadderStage = (typeof LADDER_STAGES)[number];

const DAY_MS = 86_400_000;

export const STAGE_EMAIL: Record<LadderStage, NotificationKind> = {
  payment_failed: 'payment_failed',
  reminder: 'payment_reminder',
  urgent: 'payment_urgent',
  suspended: 'suspended',
};

function startsAfterDays(ladder: DunningLadder, stage: LadderStage): number {
  switch (stage) {
    case 'payment_failed':
      return 0;
    case 'reminder':
      return ladder.reminderDays;
    case 'urgent':
      return ladder.urgentDays;
    case 'suspended':
      return ladder.graceDays;
  }
}

/** When a stage begins for a failure first seen at `since`. */
export function stageStartsAt(ladder: DunningLadder, since: Date, stage: LadderStage): Date {
  return new Date(since.getTime() + startsAfterDays(ladder, stage) * DAY_MS);
}

export function graceEndsAt(ladder: DunningLadder, since: Date): Date {
  return stageStartsAt(ladder, since, 'suspended');
}

/** The stage the ladder is at `now` for a failure first seen at `since`. */
export function stageDue(ladder: DunningLadder, since: Date, now: Date): LadderStage {
  let due: LadderStage = 'payment_failed';
  for (const stage of LADDER_STAGES)
    if (now.getTime() >= stageStartsAt(ladder, since, stage).getTime()) due = stage;
  return due;
}

export function stageRank(stage: string): number {
  return stage === 'none' ? -1 : LADDER_STAGES.indexOf(stage as LadderStage);
}

/** The stage to move to, or null when `current` is already at (or past) what is due. */
export function nextStage(
  ladder: DunningLadder,
  current: string,
  since: Date,
  now: Date,
): LadderStage | null {
  const due = stageDue(ladder, since, now);
  return stageRank(due) > stageRank(current) ? due : null;
}

/**
 * Whether Stripe still reports the subscription unpaid. The scheduler asks before entering a stage: Stripe's
 * retry may have succeeded at the very moment the stage came due, with its event not applied yet.
 */
export function stillOwing(stripeStatus: string): boolean {
  return stripeStatus === 'past_due' || stripeStatus === 'unpaid';
}

/**
 * The next retry a stage may announce: Stripe's `next_payment_attempt` (unix seconds) on the invoice, if it is
 * after `now`. Null when Stripe will not retry, and when its date is not ahead (an attempt due or overdue is
 * not one we "will" make): an email never names a retry date already past.
 */
export function upcomingRetry(nextPaymentAttempt: number | null | undefined, now: Date): Date | null {
  if (!nextPaymentAttempt) return null;
  const at = new Date(nextPaymentAttempt * 1000);
  return at.getTime() > now.getTime() ? at : null;
}

/**
 * Whether the scheduler should hold a due `stage` back for Stripe's retry rather than enter it now. The ladder
 * means day 3's reminder to go with day 3's retry: entered before that retry, the email would ask the customer
 * to act while a retry that may well succeed is minutes away, or name a retry date that is about to pass.
 * So a stage waits while Stripe's next attempt (`nextPaymentAttempt`, null when it will not retry) is due no
 * later than `retryWaitMinutes` after the stage's start, and that wait has not run out. Stripe then decides:
 * the retry's invoice.payment_failed enters the stage naming the following retry, its payment ends the
 * dunning with no reminder at all. An attempt already due that Stripe has not made yet (its retries can run
 * late) is waited for too, until the wait runs out; then the stage goes ahead, without a retry date.
 */
export function awaitsRetry(
  ladder: DunningLadder,
  stage: LadderStage,
  since: Date,
  nextPaymentAttempt: Date | null,
  now: Date,
): boolean {
  if (!nextPaymentAttempt) return false;
  const waitEnds = stageStartsAt(ladder, since, stage).getTime() + ladder.retryWaitMinutes * 60_000;
  return nextPaymentAttempt.getTime() <= waitEnds && now.getTime() < waitEnds;
}

/**
 * Whether `at` is earlier than the start of the stage the ladder is in: an event from then, delivered late,
 * no longer knows Stripe's next retry (whoever entered the stage since stored a newer one).
 */
export function predatesStage(ladder: DunningLadder, stage: string, since: Date | null, at: Date): boolean {
  if (!since || stageRank(stage) < 0) return false;
  return at.getTime() < stageStartsAt(ladder, since, stage as LadderStage).getTime();
}

/** The same string for a stage of one failure however often, and by whom, the stage is observed. */
export function stageCause(subscriptionId: string, since: Date, stage: LadderStage | 'reactivated'): string {
  return `dunning:${subscriptionId}:${Math.floor(since.getTime() / 1000)}:${stage}`;
}

export function validateLadder(ladder: DunningLadder): string[] {
  const errors: string[] = [];
  if (!(ladder.reminderDays > 0)) errors.push('the reminder must come after the failure');
  if (!(ladder.urgentDays > ladder.reminderDays))
    errors.push('the urgent email must come after the reminder');
  if (!(ladder.graceDays > ladder.urgentDays))
    errors.push('the grace period must end after the urgent email');
  const shortestGapDays = Math.min(
    ladder.reminderDays,
    ladder.urgentDays - ladder.reminderDays,
    ladder.graceDays - ladder.urgentDays,
  );
  if (!(ladder.retryWaitMinutes >= 0)) errors.push('the wait for a retry must not be negative');
  else if (errors.length === 0 && ladder.retryWaitMinutes >= shortestGapDays * 24 * 60)
    errors.push('the wait for a retry must be shorter than the time between two stages');
  return errors;
}

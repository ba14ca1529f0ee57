/**
 * Billing's clock: what happens because time passed rather than because Stripe said something — the dunning
 * ladder's stages (day 3, 5, 7: dunning-ladder.policy.ts) and a held plan reaching the period end
 * (held-plan.policy.ts). Stripe events move the same things when they come first; this covers the rest.
 * - Time is Stripe's: a customer on a test clock lives at the clock's frozen_time, so advancing the clock
 *   drives the ladder; everyone else at the wall clock.
 * - Safe with any number of replicas: every replica polls, and each subscription's step runs under the
 *   customer's advisory lock (taken without waiting) with its "is this stage due and not yet entered" check
 *   inside the lock, so a stage fires once however many replicas see it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { StripeGateway } from '../adapters/stripe.gateway';
import type { StripeEventProjector } from './stripe-event.projector';

export class BillingScheduler {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly stripe: StripeGateway,
    private readonly projector: StripeEventProjector,
    private readonly logger: Logger,
    private readonly pollMs: number,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** One pass over the subscriptions with something time-driven pending; returns how many steps it took. */
  async tick(): Promise<number> {
    const rows = await this.ds.query<{ id: string; test_clock: string | null }[]>(
      `SELECT s.stripe_subscription_id AS id, t.test_clock
         FROM billing.subscriptions s JOIN billing.tenants t ON t.id = s.tenant_id
        WHERE s.held_until IS NOT NULL
           OR (s.state = 'past_due' AND s.dunning_stage IN ('payment_failed', 'reminder', 'urgent'))
        ORDER BY s.stripe_subscription_id`,
    );
    const clocks = new Map<string, Date | null>();
    let steps = 0;
    for (const row of rows) {
      let now = new Date();
      if (row.test_clock) {
        if (!clocks.has(row.test_clock))
          clocks.set(
            row.test_clock,
            await this.stripe.testClockTime(row.test_clock).catch((error: unknown) => {
              this.logger.warn({ err: error, clock: row.test_clock }, 'test clock unreadable; skipped');
              return null;
            }),
          );
        const clockNow = clocks.get(row.test_clock);
        if (!clockNow) continue;
        now = clockNow;
      }
      if ((await this.projector.runDue(row.id, now)) === 'done') steps += 1;
    }
    return steps;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.tick();
      } catch (error) {
        this.logger.warn({ err: error }, 'billing scheduler pass failed; will retry');
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        void sleep(this.pollMs, undefined, { ref: false }).then(resolve);
      });
      this.wake = null;
    }
  }
}

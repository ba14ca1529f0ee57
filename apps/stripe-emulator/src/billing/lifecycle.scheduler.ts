/**
 * Time-driven work, per timeline (a test clock, or real time for objects on no clock): trial_will_end reminders,
 * trial ends and renewals, invoice.upcoming, draft invoices auto-finalizing, payment retries and incomplete
 * expiry. Work runs in time order, with the clock set to each item's moment, so a month-long advance produces
 * the same events, stamped with the same times, as living through the month.
 */
import type Stripe from 'stripe';
import { idOf, type EmulatorContext } from '../core/emulator-context';
import { newId } from '../core/ids';
import type { InvoiceService } from './invoice.service';
import type { SubscriptionService } from './subscription.service';
import type { PreviewService } from './preview.service';

interface Work {
  at: number;
  run: () => void;
}

const RENEWING: Stripe.Subscription.Status[] = ['trialing', 'active', 'past_due', 'unpaid'];

export class LifecycleScheduler {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly subscriptions: SubscriptionService,
    private readonly invoices: InvoiceService,
    private readonly previews: PreviewService,
  ) {}

  /** Runs all work due on the timeline up to `until`, earliest first. */
  runUntil(clockId: string | null, until: number): void {
    for (let guard = 0; guard < 100_000; guard++) {
      const work = this.nextWork(clockId, until);
      if (!work) return;
      if (clockId) {
        const clock = this.ctx.data.testClocks[clockId];
        if (clock && work.at > clock.frozen_time) clock.frozen_time = work.at;
      }
      work.run();
    }
  }

  private nextWork(clockId: string | null, until: number): Work | undefined {
    let best: Work | undefined;
    const consider = (at: number | null, run: () => void) => {
      if (at === null || at > until) return;
      if (!best || at < best.at) best = { at, run };
    };
    for (const sub of Object.values(this.ctx.data.subscriptions)) {
      if (idOf(sub.test_clock) !== clockId) continue;
      const periodEnd = sub.items.data[0]?.current_period_end;
      const trialReminder = this.subscriptions.trialWillEndAt(sub);
      consider(trialReminder, () => this.subscriptions.sendTrialWillEnd(sub, trialReminder!));
      if (RENEWING.includes(sub.status) && periodEnd !== undefined) {
        if (sub.cancel_at !== null && sub.cancel_at < periodEnd && !sub.cancel_at_period_end)
          consider(sub.cancel_at, () =>
            this.subscriptions.cancelNow(sub, sub.cancel_at!, 'cancellation_requested'),
          );
        consider(periodEnd, () => this.subscriptions.reachPeriodEnd(sub, periodEnd));
        const upcomingAt = this.upcomingAt(sub, periodEnd);
        consider(upcomingAt, () => this.sendUpcoming(sub, periodEnd, upcomingAt!));
      }
      if (sub.status === 'incomplete') {
        const expiresAt = this.subscriptions.incompleteExpiresAt(sub);
        consider(expiresAt, () => this.subscriptions.expireIncomplete(sub, expiresAt));
      }
    }
    for (const invoice of Object.values(this.ctx.data.invoices)) {
      if (idOf(invoice.test_clock) !== clockId || !invoice.auto_advance) continue;
      if (invoice.status === 'draft' && invoice.automatically_finalizes_at !== null) {
        const at = invoice.automatically_finalizes_at;
        consider(at, () => {
          this.invoices.finalize(invoice, at);
          this.invoices.pay(invoice, at, { offSession: true });
        });
      }
      if (invoice.status === 'open' && invoice.next_payment_attempt !== null) {
        const at = invoice.next_payment_attempt;
        consider(at, () => {
          invoice.next_payment_attempt = null;
          this.invoices.pay(invoice, at, { offSession: true });
        });
      }
    }
    return best;
  }

  private upcomingAt(sub: Stripe.Subscription, periodEnd: number): number | null {
    if (sub.cancel_at_period_end || sub.status === 'trialing') return null;
    const bookkeeping = this.ctx.data.subscriptionBookkeeping[sub.id];
    if (!bookkeeping || bookkeeping.upcomingSentForPeriodEnd === periodEnd) return null;
    const at = periodEnd - this.ctx.config.upcomingInvoiceDays * 86_400;
    const periodStart = sub.items.data[0].current_period_start;
    return at > periodStart ? at : null;
  }

  private sendUpcoming(sub: Stripe.Subscription, periodEnd: number, at: number): void {
    this.ctx.data.subscriptionBookkeeping[sub.id].upcomingSentForPeriodEnd = periodEnd;
    const preview = this.previews.preview({ customer: idOf(sub.customer)!, subscription: sub.id, now: at });
    preview.id = newId('upcoming_in_1');
    this.ctx.emit('invoice.upcoming', preview, at);
  }
}

/**
 * The email for each notification kind: pure functions from the event's data to subject, text and HTML.
 * Every kind is transactional (it is about the reader's own account and money, and is sent because of
 * something that happened to it), so none carries an unsubscribe link or List-Unsubscribe header: a billing
 * contact cannot opt out of learning that a payment failed. Copy is English; amounts and dates follow the
 * tenant's locale and time zone. The data each kind reads is listed in docs/notifications.md.
 */
import type { NotificationKind } from '@tollgate/contracts';
import { renderEmail, type EmailContent, type EmailLink, type RenderedEmail } from './email-layout';
import { formatDate, formatDateTime, formatMoney, resolveLocale, resolveTimeZone } from './format';
import { TemplateData, type Money } from './template-data';

export interface RenderContext {
  /** The billing page (`PUBLIC_BASE_URL` + `/billing`) unless the data names one. */
  billingUrl: string;
  /** Display name of a plan id (from the catalog); unknown ids are shown capitalized. */
  planNames: Record<string, string>;
}

export interface NotificationInput {
  kind: NotificationKind;
  locale: string;
  timeZone: string;
  data: Record<string, unknown>;
}

export interface RenderedNotification extends RenderedEmail {
  transactional: true;
}

/** What a template gets: the checked data and formatters bound to the tenant's locale and time zone. */
interface Fmt {
  data: TemplateData;
  money(m: Money): string;
  date(at: Date): string;
  dateTime(at: Date): string;
  plan(id: string): string;
  billing: EmailLink;
}

interface NotificationTemplate {
  /**
   * Only `true` exists: a non-transactional (marketing) kind would need a List-Unsubscribe header, an
   * unsubscribe endpoint and a suppression list first, and this type makes adding one a deliberate change.
   */
  transactional: true;
  render(f: Fmt): EmailContent;
}

/** "Visa ending in 4242", or "your payment method" when billing did not say. */
function card(f: Fmt): string {
  const brand = f.data.optionalString('cardBrand');
  const last4 = f.data.optionalString('cardLast4');
  if (!last4) return 'your payment method';
  const name = brand ? brand.charAt(0).toUpperCase() + brand.slice(1) : 'Card';
  return `${name} ending in ${last4}`;
}

function invoiceLinks(f: Fmt): EmailLink[] {
  const hosted = f.data.optionalUrl('hostedInvoiceUrl');
  const pdf = f.data.optionalUrl('invoicePdf');
  return [
    ...(hosted ? [{ label: 'View invoice', url: hosted }] : []),
    ...(pdf ? [{ label: 'Download PDF', url: pdf }] : []),
  ];
}

function invoiceDetails(f: Fmt, amountLabel: string): { label: string; value: string }[] {
  const number = f.data.optionalString('invoiceNumber');
  return [
    { label: amountLabel, value: f.money(f.data.money()) },
    ...(number ? [{ label: 'Invoice', value: number }] : []),
  ];
}

/** The dunning emails (day 0, 3 and 5) share their facts and differ in urgency. */
function dunning(f: Fmt, stage: 'failed' | 'reminder' | 'urgent'): EmailContent {
  const amount = f.money(f.data.money());
  const nextRetryAt = f.data.optionalDate('nextRetryAt');
  const suspendsAt = f.data.optionalDate('suspendsAt');
  const pay = f.data.optionalUrl('hostedInvoiceUrl');
  const subject = {
    failed: `Payment of ${amount} failed`,
    reminder: `Reminder: your payment of ${amount} is still due`,
    urgent: suspendsAt
      ? `Urgent: your account will be suspended on ${f.date(suspendsAt)}`
      : `Urgent: your payment of ${amount} is overdue`,
  }[stage];
  const opening = {
    failed: `We could not charge ${card(f)} for ${amount}.`,
    reminder: `Your payment of ${amount} is still outstanding: our last attempt to charge ${card(f)} did not go through.`,
    urgent: `This is the last reminder: your payment of ${amount} has failed several times.`,
  }[stage];
  return {
    subject,
    heading:
      stage === 'failed'
        ? 'Your payment failed'
        : stage === 'reminder'
          ? 'Payment still due'
          : 'Action needed now',
    paragraphs: [
      opening,
      ...(nextRetryAt ? [`We will try again on ${f.dateTime(nextRetryAt)}.`] : []),
      'Please update your payment method or pay the invoice to keep your account in good standing.',
      ...(suspendsAt
        ? [
            `If it remains unpaid, your account will be suspended on ${f.dateTime(suspendsAt)}: you will still be able to view and export your data, but not create or change anything.`,
          ]
        : []),
    ],
    details: invoiceDetails(f, 'Amount due'),
    action: pay ? { label: 'Pay invoice', url: pay } : { label: 'Update payment method', url: f.billing.url },
    links: pay ? [{ label: 'Update payment method', url: f.billing.url }] : [],
  };
}

export const NOTIFICATION_TEMPLATES: Record<NotificationKind, NotificationTemplate> = {
  trial_started: {
    transactional: true,
    render: (f) => {
      const plan = f.plan(f.data.string('plan'));
      const endsAt = f.data.date('trialEndsAt');
      return {
        subject: `Your ${plan} trial has started`,
        heading: `Welcome to your ${plan} trial`,
        paragraphs: [
          `Your ${plan} trial runs until ${f.dateTime(endsAt)}.`,
          `Add a payment method before then to stay on ${plan}. Otherwise your account moves to the Free plan when the trial ends; none of your data is lost.`,
        ],
        action: { label: 'Add a payment method', url: f.billing.url },
      };
    },
  },
  trial_ending: {
    transactional: true,
    render: (f) => {
      const plan = f.plan(f.data.string('plan'));
      const endsAt = f.data.date('trialEndsAt');
      const hasCard = f.data.optionalBoolean('hasPaymentMethod') ?? false;
      const amount = f.data.optionalMoney();
      return {
        subject: `Your ${plan} trial ends on ${f.date(endsAt)}`,
        heading: 'Your trial ends soon',
        paragraphs: hasCard
          ? [
              `Your ${plan} trial ends on ${f.dateTime(endsAt)}. Your subscription then starts automatically${amount ? ` and ${card(f)} will be charged ${f.money(amount)}` : ''}.`,
              'Nothing to do if you want to continue.',
            ]
          : [
              `Your ${plan} trial ends on ${f.dateTime(endsAt)}.`,
              `Add a payment method before then to keep ${plan}. Otherwise your account moves to the Free plan; none of your data is lost.`,
            ],
        action: hasCard
          ? { label: 'Review billing', url: f.billing.url }
          : { label: 'Add a payment method', url: f.billing.url },
      };
    },
  },
  payment_succeeded: {
    transactional: true,
    render: (f) => {
      const amount = f.money(f.data.money());
      const paidAt = f.data.optionalDate('paidAt');
      const periodStart = f.data.optionalDate('periodStart');
      const periodEnd = f.data.optionalDate('periodEnd');
      return {
        subject: `Receipt for your payment of ${amount}`,
        heading: 'Thank you for your payment',
        paragraphs: [
          `We received your payment of ${amount}${card(f) === 'your payment method' ? '' : ` from ${card(f)}`}.`,
        ],
        details: [
          ...invoiceDetails(f, 'Amount paid'),
          ...(paidAt ? [{ label: 'Paid on', value: f.date(paidAt) }] : []),
          ...(periodStart && periodEnd
            ? [{ label: 'Period', value: `${f.date(periodStart)} – ${f.date(periodEnd)}` }]
            : []),
        ],
        links: invoiceLinks(f),
      };
    },
  },
  payment_failed: { transactional: true, render: (f) => dunning(f, 'failed') },
  payment_reminder: { transactional: true, render: (f) => dunning(f, 'reminder') },
  payment_urgent: { transactional: true, render: (f) => dunning(f, 'urgent') },
  action_required: {
    transactional: true,
    render: (f) => {
      const amount = f.money(f.data.money());
      const confirm =
        f.data.optionalUrl('actionUrl') ?? f.data.optionalUrl('hostedInvoiceUrl') ?? f.billing.url;
      return {
        subject: `Action required: confirm your payment of ${amount}`,
        heading: 'Confirm your payment',
        paragraphs: [
          `Your bank asks you to confirm the payment of ${amount} (for example with 3-D Secure) before it can go through.`,
          'Until it is confirmed the invoice stays unpaid.',
        ],
        details: invoiceDetails(f, 'Amount'),
        action: { label: 'Confirm payment', url: confirm },
      };
    },
  },
  suspended: {
    transactional: true,
    render: (f) => {
      const amount = f.data.optionalMoney();
      const pay = f.data.optionalUrl('hostedInvoiceUrl');
      return {
        subject: 'Your account has been suspended',
        heading: 'Your account is suspended',
        paragraphs: [
          `We could not collect ${amount ? `the outstanding ${f.money(amount)}` : 'your outstanding payment'}, so your account is now read-only: you can view and export your data, but not create or change anything.`,
          'Pay the outstanding invoice or update your payment method and full access is restored immediately.',
        ],
        ...(amount ? { details: invoiceDetails(f, 'Amount due') } : {}),
        action: pay
          ? { label: 'Pay invoice', url: pay }
          : { label: 'Update payment method', url: f.billing.url },
      };
    },
  },
  reactivated: {
    transactional: true,
    render: (f) => {
      const planId = f.data.optionalString('plan');
      return {
        subject: 'Your account is active again',
        heading: 'Welcome back',
        paragraphs: [
          `Thank you: your payment went through and your account${planId ? ` is back on ${f.plan(planId)}` : ' is active again'}, with full access restored.`,
        ],
        links: invoiceLinks(f),
        action: f.billing,
      };
    },
  },
  plan_changed: {
    transactional: true,
    render: (f) => {
      const plan = f.plan(f.data.string('plan'));
      const previousId = f.data.optionalString('previousPlan');
      const interval = f.data.optionalString('interval');
      const effectiveAt = f.data.optionalDate('effectiveAt');
      const scheduled = f.data.optionalBoolean('scheduled') ?? false;
      const charged = f.data.optionalMoney();
      const from = previousId ? ` from ${f.plan(previousId)}` : '';
      const billed = interval === 'year' ? ', billed yearly' : interval === 'month' ? ', billed monthly' : '';
      return {
        subject:
          scheduled && effectiveAt
            ? `Your plan changes to ${plan} on ${f.date(effectiveAt)}`
            : `Your plan has changed to ${plan}`,
        heading: 'Your plan changed',
        paragraphs: [
          scheduled && effectiveAt
            ? `Your plan changes${from} to ${plan}${billed} on ${f.dateTime(effectiveAt)}. Until then you keep your current features.`
            : `Your plan changed${from} to ${plan}${billed}. The new features are available now.`,
          ...(charged ? [`${f.money(charged)} was charged now for the rest of the current period.`] : []),
        ],
        links: invoiceLinks(f),
        action: f.billing,
      };
    },
  },
  canceled: {
    transactional: true,
    render: (f) => {
      const planId = f.data.optionalString('plan');
      const accessUntil = f.data.optionalDate('accessUntil');
      const plan = planId ? f.plan(planId) : 'paid';
      return {
        subject: 'Your subscription has been canceled',
        heading: 'Subscription canceled',
        paragraphs: [
          accessUntil
            ? `Your ${plan} subscription is canceled. You keep its features until ${f.dateTime(accessUntil)}; then your account moves to the Free plan.`
            : `Your ${plan} subscription is canceled and your account is now on the Free plan.`,
          'Your data stays. You can subscribe again at any time from the billing page.',
        ],
        action: { label: 'Open billing', url: f.billing.url },
      };
    },
  },
};

function planLabel(id: string, names: Record<string, string>): string {
  return names[id] ?? id.charAt(0).toUpperCase() + id.slice(1);
}

/** Renders one notification; throws TemplateDataError when its data cannot make a correct email. */
export function renderNotification(input: NotificationInput, context: RenderContext): RenderedNotification {
  const template = NOTIFICATION_TEMPLATES[input.kind];
  const data = new TemplateData(input.kind, input.data);
  const locale = resolveLocale(input.locale);
  const timeZone = resolveTimeZone(input.timeZone);
  const billingUrl = data.optionalUrl('billingUrl') ?? context.billingUrl;
  const content = template.render({
    data,
    money: (m) => formatMoney(m.amount, m.currency, locale),
    date: (at) => formatDate(at, locale, timeZone),
    dateTime: (at) => formatDateTime(at, locale, timeZone),
    plan: (id) => planLabel(id, context.planNames),
    billing: { label: 'Open billing', url: billingUrl },
  });
  const email = renderEmail(content, { tenantName: data.optionalString('tenantName'), billingUrl });
  return { ...email, transactional: template.transactional };
}

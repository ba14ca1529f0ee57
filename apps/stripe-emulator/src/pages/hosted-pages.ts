/**
 * The pages a customer would see on Stripe: Checkout (pay with a chosen test card), the billing portal (update the
 * card, change plan, cancel at period end) and the hosted invoice page (pay an open invoice; the customer is
 * present, so a card needing 3-D Secure authenticates). Plain HTML forms, so a browser test can drive them.
 */
import express, { type Request, type Response } from 'express';
import type Stripe from 'stripe';
import type { CheckoutService } from '../billing/checkout.service';
import type { InvoiceService } from '../billing/invoice.service';
import { formatMoney, productName } from '../billing/subscription-change';
import type { SubscriptionService } from '../billing/subscription.service';
import { HOSTED_PAGE_CARDS } from '../billing/test-cards';
import { toApiError } from '../core/api-router';
import { idOf, type EmulatorContext } from '../core/emulator-context';
import type { PaymentMethodService } from '../resources/customers.routes';
import { renderInvoicePdf } from './invoice-pdf';

export interface PageServices {
  checkout: CheckoutService;
  subscriptions: SubscriptionService;
  invoices: InvoiceService;
  paymentMethods: PaymentMethodService;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
.card{border:1px solid #ddd;border-radius:8px;padding:1rem;margin:1rem 0}button{padding:.5rem 1rem}
.banner{background:#fff4d6;padding:.5rem;border-radius:4px}</style></head><body>
<p class="banner">Stripe emulator — test mode</p>${body}</body></html>`;
}

function cardSelect(): string {
  return `<label>Card <select name="paymentMethod">${HOSTED_PAGE_CARDS.map(
    ([label, id]) => `<option value="${id}">${esc(label)}</option>`,
  ).join('')}</select></label>`;
}

function handle(res: Response, action: () => void | Promise<void>): Promise<void> {
  return Promise.resolve()
    .then(action)
    .catch((error: unknown) => {
      const apiError = toApiError(error);
      res
        .status(apiError.status)
        .type('html')
        .send(page('Error', `<h1>Something went wrong</h1><p>${esc(apiError.message)}</p>`));
    });
}

export function hostedPages(ctx: EmulatorContext, s: PageServices): express.Router {
  const router = express.Router();
  router.use(['/checkout', '/portal', '/invoices'], express.urlencoded({ extended: false }));
  const str = (req: Request, key: string) => {
    const body = req.body as Record<string, unknown> | undefined;
    return typeof body?.[key] === 'string' ? body[key] : '';
  };

  router.get('/checkout/:id', (req, res) =>
    handle(res, () => {
      const session = ctx.require('checkoutSessions', req.params.id);
      const bookkeeping = ctx.data.checkoutBookkeeping[session.id];
      const lines = bookkeeping.lineItems
        .map((li) => {
          const price = ctx.data.prices[li.price];
          return `<li>${li.quantity} × ${esc(productName(price, ctx.data.products))} — ${formatMoney(price.unit_amount ?? 0, price.currency)} / ${price.recurring?.interval ?? ''}</li>`;
        })
        .join('');
      const trial = bookkeeping.trialPeriodDays ? `<p>${bookkeeping.trialPeriodDays}-day free trial</p>` : '';
      const form =
        session.status === 'open'
          ? `<form method="post" action="/checkout/${session.id}">${cardSelect()} <button type="submit">Subscribe</button></form>
             ${session.cancel_url ? `<p><a href="${esc(session.cancel_url)}">Cancel</a></p>` : ''}`
          : `<p>This session is ${esc(session.status ?? '')}.</p>`;
      res.type('html').send(page('Checkout', `<h1>Subscribe</h1><ul>${lines}</ul>${trial}${form}`));
    }),
  );

  router.post('/checkout/:id', (req, res) =>
    handle(res, () => {
      const session = s.checkout.complete(req.params.id, str(req, 'paymentMethod') || 'pm_card_visa');
      const target = session.success_url?.replace('{CHECKOUT_SESSION_ID}', session.id);
      if (target) res.redirect(303, target);
      else
        res
          .type('html')
          .send(
            page(
              'Thank you',
              `<h1>Thank you</h1><p>Subscription ${esc(idOf(session.subscription) ?? '')}</p>`,
            ),
          );
    }),
  );

  router.get('/portal/:id', (req, res) =>
    handle(res, () => {
      const session = ctx.require('portalSessions', req.params.id);
      const customer = ctx.require('customers', session.customer);
      const pmId = idOf(customer.invoice_settings.default_payment_method);
      const pm = pmId ? ctx.data.paymentMethods[pmId] : undefined;
      const subs = Object.values(ctx.data.subscriptions).filter(
        (sub) =>
          idOf(sub.customer) === customer.id && !['canceled', 'incomplete_expired'].includes(sub.status),
      );
      const plans = Object.values(ctx.data.prices).filter((p) => p.active && p.recurring && p.lookup_key);
      const subHtml = subs
        .map((sub) => {
          const item = sub.items.data[0];
          const options = plans
            .filter((p) => p.currency === sub.currency && p.id !== item.price.id)
            .map(
              (p) =>
                `<option value="${p.id}">${esc(productName(p, ctx.data.products))} ${formatMoney(p.unit_amount ?? 0, p.currency)} / ${p.recurring!.interval}</option>`,
            )
            .join('');
          return `<div class="card"><h2>${esc(productName(item.price, ctx.data.products))}</h2>
            <p>Status: ${sub.status}${sub.cancel_at_period_end ? ' (cancels at period end)' : ''}</p>
            <form method="post" action="/portal/${session.id}/plan"><input type="hidden" name="subscription" value="${sub.id}">
              <select name="price">${options}</select> <button type="submit">Change plan</button></form>
            <form method="post" action="/portal/${session.id}/cancel"><input type="hidden" name="subscription" value="${sub.id}">
              <button type="submit">Cancel plan</button></form></div>`;
        })
        .join('');
      const back = session.return_url ? `<p><a href="${esc(session.return_url)}">Return</a></p>` : '';
      res.type('html').send(
        page(
          'Billing portal',
          `<h1>Billing</h1>${subHtml}<div class="card"><h2>Payment method</h2>
           <p>${pm?.card ? `${esc(pm.card.brand)} •••• ${esc(pm.card.last4)}` : 'None'}</p>
           <form method="post" action="/portal/${session.id}/payment-method">${cardSelect()} <button type="submit">Update</button></form></div>${back}`,
        ),
      );
    }),
  );

  const portalSubscription = (req: Request): [Stripe.BillingPortal.Session, Stripe.Subscription] => {
    const session = ctx.require('portalSessions', req.params.id as string);
    const sub = ctx.require('subscriptions', str(req, 'subscription'), 'subscription');
    if (idOf(sub.customer) !== session.customer)
      throw toApiError(new Error('subscription of another customer'));
    return [session, sub];
  };

  router.post('/portal/:id/payment-method', (req, res) =>
    handle(res, () => {
      const session = ctx.require('portalSessions', req.params.id);
      const customer = ctx.require('customers', session.customer);
      const pm = s.paymentMethods.materialize(str(req, 'paymentMethod') || 'pm_card_visa', 'paymentMethod');
      s.paymentMethods.attach(pm, customer);
      s.paymentMethods.setCustomerDefault(customer, pm.id);
      for (const sub of Object.values(ctx.data.subscriptions))
        if (idOf(sub.customer) === customer.id && !['canceled', 'incomplete_expired'].includes(sub.status))
          s.subscriptions.update(sub, {
            prorationBehavior: 'none',
            paymentBehavior: 'allow_incomplete',
            defaultPaymentMethod: pm.id,
          });
      res.redirect(303, `/portal/${session.id}`);
    }),
  );

  router.post('/portal/:id/plan', (req, res) =>
    handle(res, () => {
      const [session, sub] = portalSubscription(req);
      s.subscriptions.update(sub, {
        items: [{ id: sub.items.data[0].id, price: str(req, 'price') }],
        prorationBehavior: 'create_prorations',
        paymentBehavior: 'allow_incomplete',
      });
      res.redirect(303, `/portal/${session.id}`);
    }),
  );

  router.post('/portal/:id/cancel', (req, res) =>
    handle(res, () => {
      const [session, sub] = portalSubscription(req);
      s.subscriptions.update(sub, {
        prorationBehavior: 'none',
        paymentBehavior: 'allow_incomplete',
        cancelAtPeriodEnd: true,
      });
      res.redirect(303, `/portal/${session.id}`);
    }),
  );

  router.get('/invoices/:id', (req, res) =>
    handle(res, () => {
      const invoice = ctx.require('invoices', req.params.id);
      const lines = invoice.lines.data
        .map((l) => `<li>${esc(l.description ?? '')}: ${formatMoney(l.amount, invoice.currency)}</li>`)
        .join('');
      const pay =
        invoice.status === 'open'
          ? `<form method="post" action="/invoices/${invoice.id}/pay">${cardSelect()} <button type="submit">Pay ${formatMoney(invoice.amount_due, invoice.currency)}</button></form>`
          : '';
      res.type('html').send(
        page(
          `Invoice ${invoice.number ?? ''}`,
          `<h1>Invoice ${esc(invoice.number ?? invoice.id)}</h1><p>Status: ${invoice.status}</p><ul>${lines}</ul>
           <p>Amount due: ${formatMoney(invoice.amount_due, invoice.currency)}</p>${pay}
           <p><a href="/invoices/${invoice.id}/pdf">Download PDF</a></p>`,
        ),
      );
    }),
  );

  router.post('/invoices/:id/pay', (req, res) =>
    handle(res, () => {
      const invoice = ctx.require('invoices', req.params.id);
      const customer = ctx.require('customers', idOf(invoice.customer)!);
      const pm = s.paymentMethods.materialize(str(req, 'paymentMethod') || 'pm_card_visa', 'paymentMethod');
      s.paymentMethods.attach(pm, customer);
      s.invoices.pay(invoice, ctx.nowForCustomer(customer.id), {
        offSession: false,
        paymentMethod: pm.id,
        authenticated: true,
      });
      res.redirect(303, `/invoices/${invoice.id}`);
    }),
  );

  router.get('/invoices/:id/pdf', (req, res) =>
    handle(res, async () => {
      const invoice = ctx.require('invoices', req.params.id);
      const pdf = await renderInvoicePdf(invoice);
      res
        .type('application/pdf')
        .setHeader('Content-Disposition', `inline; filename="${invoice.number ?? invoice.id}.pdf"`);
      res.send(pdf);
    }),
  );

  return router;
}

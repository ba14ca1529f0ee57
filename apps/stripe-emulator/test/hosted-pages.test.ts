import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { startEmulator } from '../src/emulator';
import { seedCatalog, startHarness, type Harness } from './emulator-harness';

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual' as const,
});

describe('stripe emulator: hosted pages and snapshot', () => {
  let h: Harness;
  let catalog: Awaited<ReturnType<typeof seedCatalog>>;
  beforeAll(async () => {
    h = await startHarness();
    catalog = await seedCatalog(h.stripe);
  });
  afterAll(async () => {
    await h.stop();
  });

  async function subscribedCustomer() {
    const customer = await h.stripe.customers.create({ email: 'page@example.com' });
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: catalog.proMonth.id, quantity: 1 }],
      success_url: 'https://app.example.com/done?session={CHECKOUT_SESSION_ID}',
    });
    const response = await fetch(session.url!, form({ paymentMethod: 'pm_card_mastercard' }));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`https://app.example.com/done?session=${session.id}`);
    const done = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    return { customer, subscription: done.subscription as Stripe.Subscription };
  }

  it('pays on the checkout page form and redirects to success_url', async () => {
    const { subscription } = await subscribedCustomer();
    expect(subscription.status).toBe('active');
  });

  it('lets the customer update the card, change plan and cancel in the portal', async () => {
    const { customer, subscription } = await subscribedCustomer();
    const portal = await h.stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'https://app.example.com',
    });
    expect(portal.url).toBe(`${h.emulator.url}/portal/${portal.id}`);
    expect(await (await fetch(portal.url)).text()).toContain('Change plan');

    expect(
      (await fetch(`${portal.url}/payment-method`, form({ paymentMethod: 'pm_card_visa' }))).status,
    ).toBe(303);
    const updated = (await h.stripe.customers.retrieve(customer.id, {
      expand: ['invoice_settings.default_payment_method'],
    })) as Stripe.Customer;
    expect((updated.invoice_settings.default_payment_method as Stripe.PaymentMethod).card?.last4).toBe(
      '4242',
    );

    await fetch(
      `${portal.url}/plan`,
      form({ subscription: subscription.id, price: catalog.businessMonth.id }),
    );
    expect((await h.stripe.subscriptions.retrieve(subscription.id)).items.data[0].price.id).toBe(
      catalog.businessMonth.id,
    );

    await fetch(`${portal.url}/cancel`, form({ subscription: subscription.id }));
    expect((await h.stripe.subscriptions.retrieve(subscription.id)).cancel_at_period_end).toBe(true);
  });

  it('pays an open invoice on the hosted invoice page, authenticating a 3-D Secure card', async () => {
    const customer = await h.stripe.customers.create({ email: 'hosted@example.com' });
    await h.stripe.invoiceItems.create({ customer: customer.id, amount: 700, currency: 'usd' });
    const invoice = await h.stripe.invoices.finalizeInvoice(
      (await h.stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: 'include' }))
        .id,
    );
    expect(invoice.hosted_invoice_url).toBe(`${h.emulator.url}/invoices/${invoice.id}`);
    await fetch(
      `${invoice.hosted_invoice_url}/pay`,
      form({ paymentMethod: 'pm_card_authenticationRequired' }),
    );
    expect((await h.stripe.invoices.retrieve(invoice.id)).status).toBe('paid');
  });

  it('keeps state across restarts in the snapshot file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-'));
    const snapshotPath = join(dir, 'state.json');
    try {
      const first = await startEmulator({ port: 0, snapshotPath });
      const client = (port: number) =>
        new Stripe('sk_test_x', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
      const customer = await client(first.port).customers.create({ email: 'kept@example.com' });
      await first.stop();
      const second = await startEmulator({ port: 0, snapshotPath });
      const again = (await client(second.port).customers.retrieve(customer.id)) as Stripe.Customer;
      expect(again.email).toBe('kept@example.com');
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

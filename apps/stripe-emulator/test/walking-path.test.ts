import { eventually } from '@tollgate/testing';
import type Stripe from 'stripe';
import { emulatorPost, seedCatalog, startHarness, type Harness } from './emulator-harness';

describe('stripe emulator: catalog and checkout through the official SDK', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('sets up a catalog and finds prices by lookup_keys[] with the product expanded', async () => {
    await seedCatalog(h.stripe);
    const list = await h.stripe.prices.list({
      lookup_keys: ['tollgate_pro_month', 'tollgate_business_month'],
      expand: ['data.product'],
    });
    expect(list.object).toBe('list');
    expect(list.data.map((p) => p.lookup_key).sort()).toEqual([
      'tollgate_business_month',
      'tollgate_pro_month',
    ]);
    expect((list.data[0].product as Stripe.Product).object).toBe('product');
    expect(list.data[0].recurring?.interval).toBe('month');
  });

  it('completes a checkout with a good card: active subscription, paid invoice, signed webhooks', async () => {
    const customer = await h.stripe.customers.create({
      email: 'a@example.com',
      metadata: { tenantId: 't1' },
    });
    const [price] = (await h.stripe.prices.list({ lookup_keys: ['tollgate_pro_month'] })).data;
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 1 }],
      client_reference_id: 't1',
      metadata: { tenantId: 't1' },
      subscription_data: { metadata: { tenantId: 't1' } },
      success_url: 'https://example.com/ok',
    });
    expect(session.url).toBe(`${h.emulator.url}/checkout/${session.id}`);
    const page = await fetch(session.url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('pm_card_visa');

    const completed = await emulatorPost(h.emulator, `/_emulator/checkout/${session.id}/complete`, {
      paymentMethod: 'pm_card_visa',
    });
    expect(completed.status).toBe(200);

    const after = await h.stripe.checkout.sessions.retrieve(session.id, {
      expand: ['subscription.latest_invoice'],
    });
    expect(after.status).toBe('complete');
    expect(after.customer).toBe(customer.id);
    expect(after.client_reference_id).toBe('t1');
    const sub = after.subscription as Stripe.Subscription;
    expect(sub.status).toBe('active');
    expect(sub.metadata).toEqual({ tenantId: 't1' });
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice.status).toBe('paid');
    expect(invoice.amount_paid).toBe(2000);
    expect(invoice.billing_reason).toBe('subscription_create');

    await eventually(() => h.receiver.types().includes('checkout.session.completed'), {
      what: 'checkout.session.completed',
    });
    await eventually(() => h.receiver.types().includes('invoice.paid'), { what: 'invoice.paid' });
    const completedEvent = h.receiver.ofType<Stripe.Checkout.Session>('checkout.session.completed')[0];
    expect(completedEvent.subscription).toBe(sub.id);
    expect(completedEvent.metadata).toEqual({ tenantId: 't1' });
  });

  it('answers an unknown id with Stripe 404 resource_missing naming the param', async () => {
    const error = await h.stripe.customers.retrieve('cus_nope').catch((e: unknown) => e);
    expect(error).toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 404,
      code: 'resource_missing',
      param: 'id',
    });
  });
});

/** Test harness: an in-process emulator, the official SDK pointed at it, and a webhook receiver that verifies. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../src/emulator';

export interface Received {
  event: Stripe.Event;
  raw: string;
  signature: string;
}

export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Status codes to answer with, consumed one per request; then 200. */
  readonly script: number[] = [];
  private server!: Server;
  url = '';

  constructor(private readonly secret: string) {}

  async start(): Promise<void> {
    const stripe = new Stripe('sk_test_receiver');
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const signature = String(req.headers['stripe-signature'] ?? '');
        const status = this.script.shift() ?? 200;
        try {
          const event = stripe.webhooks.constructEvent(raw, signature, this.secret);
          if (status < 300) this.received.push({ event, raw, signature });
          res.writeHead(status).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks`;
  }

  types(): string[] {
    return this.received.map((r) => r.event.type);
  }

  ofType<T = unknown>(type: string): T[] {
    return this.received.filter((r) => r.event.type === type).map((r) => r.event.data.object as T);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface Harness {
  emulator: RunningEmulator;
  stripe: Stripe;
  receiver: WebhookReceiver;
  stop(): Promise<void>;
}

export const WEBHOOK_SECRET = 'whsec_test_emulator_harness';

export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const receiver = new WebhookReceiver(WEBHOOK_SECRET);
  await receiver.start();
  const emulator = await startEmulator({
    port: 0,
    webhookUrl: receiver.url,
    webhookSecret: WEBHOOK_SECRET,
    ...options,
  });
  const stripe = new Stripe('sk_test_emulator', {
    host: '127.0.0.1',
    port: emulator.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  return {
    emulator,
    stripe,
    receiver,
    stop: async () => {
      await emulator.stop();
      await receiver.stop();
    },
  };
}

export async function emulatorPost(
  emulator: RunningEmulator,
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** The plan catalog Tollgate expects: tollgate_<plan>_<interval> lookup keys. */
export async function seedCatalog(stripe: Stripe) {
  const pro = await stripe.products.create({ name: 'Pro' });
  const business = await stripe.products.create({ name: 'Business' });
  const seat = await stripe.products.create({ name: 'Seat' });
  const price = (product: string, amount: number, interval: 'month' | 'year', key: string) =>
    stripe.prices.create({
      product,
      currency: 'usd',
      unit_amount: amount,
      recurring: { interval },
      lookup_key: key,
    });
  return {
    proMonth: await price(pro.id, 2000, 'month', 'tollgate_pro_month'),
    proYear: await price(pro.id, 20000, 'year', 'tollgate_pro_year'),
    businessMonth: await price(business.id, 5000, 'month', 'tollgate_business_month'),
    seatMonth: await price(seat.id, 500, 'month', 'tollgate_seat_month'),
  };
}

export const DAY = 86_400;

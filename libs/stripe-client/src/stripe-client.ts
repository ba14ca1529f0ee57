/**
 * The one way Tollgate builds a Stripe client: the official SDK, pointed at Stripe itself or, when
 * STRIPE_API_BASE is set (local runs, every test), at the emulator. Retries on network errors and 429s are
 * the SDK's own (with idempotency keys it adds to POSTs).
 */
import Stripe from 'stripe';

export interface StripeClientOptions {
  secretKey: string;
  /** e.g. http://127.0.0.1:12111; unset means api.stripe.com. */
  apiBase?: string;
  maxNetworkRetries?: number;
  timeoutMs?: number;
}

export function createStripeClient(options: StripeClientOptions): Stripe {
  const config: Stripe.StripeConfig = {
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 20_000,
    appInfo: { name: 'tollgate', version: '0.1.0' },
  };
  if (options.apiBase) {
    const base = new URL(options.apiBase);
    config.host = base.hostname;
    config.port = Number(base.port || (base.protocol === 'https:' ? 443 : 80));
    config.protocol = base.protocol === 'https:' ? 'https' : 'http';
  }
  return new Stripe(options.secretKey, config);
}

/** Whether a key is a test-mode key (test clocks and other test helpers are allowed only then). */
export function isTestModeKey(secretKey: string): boolean {
  return secretKey.startsWith('sk_test_') || secretKey.startsWith('rk_test_');
}

export { Stripe };

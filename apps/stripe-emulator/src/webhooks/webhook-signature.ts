/**
 * Stripe-Signature exactly as Stripe makes it: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`,
 * keyed with the endpoint's whole `whsec_...` string, so stripe.webhooks.constructEvent accepts it.
 */
import { createHmac } from 'node:crypto';

export function signPayload(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Stripe-looking ids: `newId('cus', 14)` → `cus_` + 14 chars, `newId('sub_1')` → `sub_1` + 24 chars (a prefix
 * that already has its underscore is used as is). Random, so ids never collide across resets.
 */
export function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return prefix.includes('_') ? `${prefix}${out}` : `${prefix}_${out}`;
}

export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}

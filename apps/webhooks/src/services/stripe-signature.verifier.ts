/**
 * Stripe webhook signature verification: the one place it happens.
 *
 * Header: `Stripe-Signature: t=<unix seconds>,v1=<hex>,v1=<hex>,...` (v0 and unknown schemes are ignored).
 * Signed payload: `${t}.${rawBody}`, HMAC-SHA256 keyed with the whole `whsec_...` string.
 * - Several secrets are configured at once during a rotation; any secret may match any v1.
 * - Comparison is timing-safe (`crypto.timingSafeEqual` over equal-length digests).
 * - The timestamp must lie within the tolerance of our clock in both directions: a stale replay and a
 *   timestamp from the future are refused alike.
 * The verdict names the reason for metrics and security logs; the HTTP answer never tells a caller which.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureFailure =
  | 'missing_header'
  | 'malformed_header'
  | 'no_v1_signature'
  | 'signature_mismatch'
  | 'timestamp_outside_tolerance';

export type SignatureVerdict = { ok: true; timestamp: number } | { ok: false; reason: SignatureFailure };

/** A header longer than this is not something Stripe sends (it carries a few 64-char digests at most). */
const MAX_HEADER_LENGTH = 4096;
const HEX_DIGEST = /^[0-9a-f]{64}$/;

interface ParsedHeader {
  timestamp: number;
  signatures: Buffer[];
}

export function parseSignatureHeader(header: string): ParsedHeader | 'malformed_header' | 'no_v1_signature' {
  if (header.length > MAX_HEADER_LENGTH) return 'malformed_header';
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return 'malformed_header';
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) return 'malformed_header';
      timestamp = Number(value);
    } else if (key === 'v1' && HEX_DIGEST.test(value)) {
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (timestamp === undefined) return 'malformed_header';
  if (signatures.length === 0) return 'no_v1_signature';
  return { timestamp, signatures };
}

export function computeSignature(secret: string, timestamp: number, rawBody: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

export class StripeSignatureVerifier {
  constructor(
    private readonly secrets: readonly string[],
    private readonly toleranceSeconds: number,
    private readonly nowMs: () => number = Date.now,
  ) {
    if (secrets.length === 0) throw new Error('at least one webhook secret is required');
  }

  verify(rawBody: Buffer, header: string | undefined): SignatureVerdict {
    if (header === undefined || header.length === 0) return { ok: false, reason: 'missing_header' };
    const parsed = parseSignatureHeader(header);
    if (typeof parsed === 'string') return { ok: false, reason: parsed };
    const matched = this.secrets.some((secret) => {
      const expected = computeSignature(secret, parsed.timestamp, rawBody);
      return parsed.signatures.some((candidate) => timingSafeEqual(expected, candidate));
    });
    if (!matched) return { ok: false, reason: 'signature_mismatch' };
    const skewSeconds = Math.abs(this.nowMs() / 1000 - parsed.timestamp);
    if (skewSeconds > this.toleranceSeconds) return { ok: false, reason: 'timestamp_outside_tolerance' };
    return { ok: true, timestamp: parsed.timestamp };
  }
}

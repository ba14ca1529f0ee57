import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { StripeSignatureVerifier, parseSignatureHeader } from './stripe-signature.verifier';

const SECRET = 'whsec_test_current';
const OLD_SECRET = 'whsec_test_previous';
const NOW_S = 1_767_300_000;
const body = Buffer.from(
  JSON.stringify({ id: 'evt_1', object: 'event', type: 'invoice.paid', created: NOW_S }),
);

function sign(payload: Buffer | string, secret: string, t = NOW_S): string {
  return createHmac('sha256', secret).update(`${t}.${payload.toString()}`).digest('hex');
}

function verifier(secrets = [SECRET], toleranceSeconds = 300, nowS = NOW_S) {
  return new StripeSignatureVerifier(secrets, toleranceSeconds, () => nowS * 1000);
}

describe('StripeSignatureVerifier', () => {
  it('accepts a payload signed with the configured secret', () => {
    expect(verifier().verify(body, `t=${NOW_S},v1=${sign(body, SECRET)}`)).toEqual({
      ok: true,
      timestamp: NOW_S,
    });
  });

  it('agrees with the official stripe library on a header it generated', () => {
    const header = Stripe.webhooks.generateTestHeaderString({
      payload: body.toString(),
      secret: SECRET,
      timestamp: NOW_S,
    });
    expect(verifier().verify(body, header)).toEqual({ ok: true, timestamp: NOW_S });
    const ours = `t=${NOW_S},v1=${sign(body, SECRET)}`;
    expect(ours).toBe(header);
  });

  it('accepts when any of several v1 signatures matches', () => {
    const header = `t=${NOW_S},v1=${sign(body, 'whsec_other')},v1=${sign(body, SECRET)},v0=${'0'.repeat(64)}`;
    expect(verifier().verify(body, header).ok).toBe(true);
  });

  it('accepts a payload signed with a secret being rotated out while both are configured', () => {
    const header = `t=${NOW_S},v1=${sign(body, OLD_SECRET)}`;
    expect(verifier([SECRET, OLD_SECRET]).verify(body, header).ok).toBe(true);
  });

  it('rejects a payload signed with a rotated-out secret', () => {
    expect(verifier([SECRET]).verify(body, `t=${NOW_S},v1=${sign(body, OLD_SECRET)}`)).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a payload altered by one byte', () => {
    const header = `t=${NOW_S},v1=${sign(body, SECRET)}`;
    const altered = Buffer.from(body);
    altered[10] = altered[10] ^ 1;
    expect(verifier().verify(altered, header)).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature over a different timestamp than the header claims', () => {
    const header = `t=${NOW_S},v1=${sign(body, SECRET, NOW_S - 1)}`;
    expect(verifier().verify(body, header)).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a stale timestamp and one from the future, and accepts the edge of the tolerance', () => {
    const at = (t: number) => verifier([SECRET], 300).verify(body, `t=${t},v1=${sign(body, SECRET, t)}`);
    expect(at(NOW_S - 301)).toEqual({ ok: false, reason: 'timestamp_outside_tolerance' });
    expect(at(NOW_S + 301)).toEqual({ ok: false, reason: 'timestamp_outside_tolerance' });
    expect(at(NOW_S - 300).ok).toBe(true);
    expect(at(NOW_S + 300).ok).toBe(true);
  });

  it('names a missing, malformed or v1-less header', () => {
    const v = verifier();
    const good = sign(body, SECRET);
    expect(v.verify(body, undefined)).toEqual({ ok: false, reason: 'missing_header' });
    expect(v.verify(body, '')).toEqual({ ok: false, reason: 'missing_header' });
    expect(v.verify(body, 'garbage')).toEqual({ ok: false, reason: 'malformed_header' });
    expect(v.verify(body, `v1=${good}`)).toEqual({ ok: false, reason: 'malformed_header' });
    expect(v.verify(body, `t=soon,v1=${good}`)).toEqual({ ok: false, reason: 'malformed_header' });
    expect(v.verify(body, `t=${NOW_S},t=${NOW_S},v1=${good}`)).toEqual({
      ok: false,
      reason: 'malformed_header',
    });
    expect(v.verify(body, `t=${NOW_S},v1=${'a'.repeat(5000)}`)).toEqual({
      ok: false,
      reason: 'malformed_header',
    });
    expect(v.verify(body, `t=${NOW_S}`)).toEqual({ ok: false, reason: 'no_v1_signature' });
    expect(v.verify(body, `t=${NOW_S},v1=${good.slice(0, 63)}`)).toEqual({
      ok: false,
      reason: 'no_v1_signature',
    });
    expect(v.verify(body, `t=${NOW_S},v0=${good}`)).toEqual({ ok: false, reason: 'no_v1_signature' });
  });

  it('tolerates spaces around header elements as Stripe libraries do', () => {
    expect(verifier().verify(body, `t=${NOW_S}, v1=${sign(body, SECRET)}`).ok).toBe(true);
  });

  it('refuses to be built without a secret', () => {
    expect(() => new StripeSignatureVerifier([], 300)).toThrow(/secret/);
  });
});

describe('parseSignatureHeader', () => {
  it('collects every valid v1 digest and the timestamp', () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    const parsed = parseSignatureHeader(`t=12,v1=${a},v1=${b}`);
    expect(parsed).toEqual({ timestamp: 12, signatures: [Buffer.from(a, 'hex'), Buffer.from(b, 'hex')] });
  });
});

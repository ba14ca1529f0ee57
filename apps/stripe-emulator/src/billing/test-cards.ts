/**
 * Stripe's documented test payment methods, tokens and card numbers, and what a charge on each does.
 * Policy: attaching any of them succeeds (Stripe's attach-time check for 4000000000000002 is not emulated);
 * the outcome shows when a payment is attempted, which is where billing code has to cope with it.
 */
export type ChargeOutcome =
  | { kind: 'succeeded' }
  | { kind: 'declined'; code: string; declineCode: string; message: string }
  | { kind: 'requires_action' };

export interface TestCard {
  brand: string;
  last4: string;
  funding: string;
  country: string;
  outcome: ChargeOutcome;
}

const ok: ChargeOutcome = { kind: 'succeeded' };
const declined = (declineCode: string, message: string, code = 'card_declined'): ChargeOutcome => ({
  kind: 'declined',
  code,
  declineCode,
  message,
});

const BY_NUMBER: Record<string, TestCard> = {
  '4242424242424242': { brand: 'visa', last4: '4242', funding: 'credit', country: 'US', outcome: ok },
  '4000056655665556': { brand: 'visa', last4: '5556', funding: 'debit', country: 'US', outcome: ok },
  '5555555555554444': { brand: 'mastercard', last4: '4444', funding: 'credit', country: 'US', outcome: ok },
  '378282246310005': { brand: 'amex', last4: '0005', funding: 'credit', country: 'US', outcome: ok },
  '4000000000000002': {
    brand: 'visa',
    last4: '0002',
    funding: 'credit',
    country: 'US',
    outcome: declined('generic_decline', 'Your card was declined.'),
  },
  '4000000000000341': {
    brand: 'visa',
    last4: '0341',
    funding: 'credit',
    country: 'US',
    outcome: declined('generic_decline', 'Your card was declined.'),
  },
  '4000000000009995': {
    brand: 'visa',
    last4: '9995',
    funding: 'credit',
    country: 'US',
    outcome: declined('insufficient_funds', 'Your card has insufficient funds.'),
  },
  '4000000000000069': {
    brand: 'visa',
    last4: '0069',
    funding: 'credit',
    country: 'US',
    outcome: declined('expired_card', 'Your card has expired.', 'expired_card'),
  },
  '4000002760003184': {
    brand: 'visa',
    last4: '3184',
    funding: 'credit',
    country: 'US',
    outcome: { kind: 'requires_action' },
  },
};

/** Stripe's magic ids (pm_card_*, tok_*) → card number. */
const ALIASES: Record<string, string> = {
  pm_card_visa: '4242424242424242',
  tok_visa: '4242424242424242',
  pm_card_visa_debit: '4000056655665556',
  tok_visa_debit: '4000056655665556',
  pm_card_mastercard: '5555555555554444',
  tok_mastercard: '5555555555554444',
  pm_card_amex: '378282246310005',
  tok_amex: '378282246310005',
  pm_card_chargeDeclined: '4000000000000002',
  tok_chargeDeclined: '4000000000000002',
  pm_card_visa_chargeDeclined: '4000000000000002',
  pm_card_chargeCustomerFail: '4000000000000341',
  tok_chargeCustomerFail: '4000000000000341',
  pm_card_chargeDeclinedInsufficientFunds: '4000000000009995',
  tok_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_chargeDeclinedExpiredCard: '4000000000000069',
  tok_chargeDeclinedExpiredCard: '4000000000000069',
  pm_card_authenticationRequired: '4000002760003184',
  tok_authenticationRequired: '4000002760003184',
};

/** The test cards a hosted page offers, label → magic payment method id. */
export const HOSTED_PAGE_CARDS: Array<[string, string]> = [
  ['Visa 4242 (succeeds)', 'pm_card_visa'],
  ['Mastercard 4444 (succeeds)', 'pm_card_mastercard'],
  ['Visa 0002 (declined)', 'pm_card_chargeDeclined'],
  ['Visa 0341 (attaches, charges fail)', 'pm_card_chargeCustomerFail'],
  ['Visa 9995 (insufficient funds)', 'pm_card_chargeDeclinedInsufficientFunds'],
  ['Visa 3184 (requires authentication)', 'pm_card_authenticationRequired'],
];

export function isMagicPaymentMethod(id: string): boolean {
  return id in ALIASES;
}

export function testCardFor(aliasOrNumber: string): TestCard | undefined {
  const number = ALIASES[aliasOrNumber] ?? aliasOrNumber.replace(/\s+/g, '');
  return BY_NUMBER[number];
}

export function fingerprintOf(card: TestCard): string {
  return `fp${card.brand}${card.last4}`.slice(0, 16);
}

/**
 * Stable error codes. Every non-2xx response (HTTP) and every error reply (NATS) carries one of these in
 * the envelope `{ error: { code, message, details? } }`. Codes never change meaning once published.
 */
export const ErrorCode = {
  ValidationFailed: 'validation_failed',
  Unauthenticated: 'unauthenticated',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  Conflict: 'conflict',
  IdempotencyConflict: 'idempotency_conflict',
  IdempotencyInFlight: 'idempotency_in_flight',
  SubscriptionExistsUseChange: 'subscription_exists_use_change',
  NoSubscription: 'no_subscription',
  SeatsInUse: 'seats_in_use',
  IllegalTransition: 'illegal_transition',
  RateLimited: 'rate_limited',
  LimitExceeded: 'limit_exceeded',
  PayloadTooLarge: 'payload_too_large',
  SignatureInvalid: 'signature_invalid',
  UnknownFeature: 'unknown_feature',
  UpstreamUnavailable: 'upstream_unavailable',
  StripeError: 'stripe_error',
  Timeout: 'timeout',
  Internal: 'internal_error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** HTTP status for each code; NATS replies carry the code only and the gateway maps it back through this table. */
export const httpStatusOf: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 409,
  idempotency_in_flight: 409,
  subscription_exists_use_change: 409,
  no_subscription: 409,
  seats_in_use: 409,
  illegal_transition: 409,
  rate_limited: 429,
  limit_exceeded: 402,
  payload_too_large: 413,
  signature_invalid: 400,
  unknown_feature: 404,
  upstream_unavailable: 503,
  stripe_error: 502,
  timeout: 504,
  internal_error: 500,
};

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}
export interface ErrorEnvelope {
  error: ErrorBody;
}

export function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = value.error;
  return (
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
  );
}

/** The one error type services throw for an expected failure; filters turn it into the envelope. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toEnvelope(): ErrorEnvelope {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
    };
  }

  static fromEnvelope(envelope: ErrorEnvelope): DomainError {
    return new DomainError(envelope.error.code, envelope.error.message, envelope.error.details);
  }
}

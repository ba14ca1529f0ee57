import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The correlation id of the unit of work in progress, carried from HTTP into NATS headers and every log line. */
interface Context {
  correlationId: string;
}

const storage = new AsyncLocalStorage<Context>();

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

export function newCorrelationId(): string {
  return randomUUID();
}

export function withCorrelation<T>(correlationId: string | undefined, fn: () => T): T {
  return storage.run({ correlationId: correlationId ?? newCorrelationId() }, fn);
}

/** Accepts only ids a client could not use to smuggle log lines or huge headers. */
export function sanitizeCorrelationId(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}

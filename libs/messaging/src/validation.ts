import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { DomainError, ErrorCode } from '@tollgate/contracts';

export type Schema<T> = new () => T;

function flatten(errors: ValidationError[], prefix = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) out[path] = Object.values(error.constraints);
    Object.assign(out, flatten(error.children ?? [], path));
  }
  return out;
}

/**
 * Validates an inbound message at the boundary: unknown fields are refused, not silently dropped, and the
 * error names every bad field. A cast is not validation.
 */
export async function validateMessage<T extends object>(schema: Schema<T>, value: unknown): Promise<T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DomainError(ErrorCode.ValidationFailed, 'message must be a JSON object');
  const instance = plainToInstance(schema, value);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0)
    throw new DomainError(ErrorCode.ValidationFailed, 'message failed validation', {
      fields: flatten(errors),
    });
  return instance;
}

/**
 * The one exception filter of every HTTP app: whatever went wrong, the client gets the contract's envelope
 * `{error: {code, message, details?}}` with a stable code; unexpected errors are logged and answered as
 * `internal_error` without internals.
 */
import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { DomainError, ErrorCode, httpStatusOf, type ErrorEnvelope } from '@tollgate/contracts';

const codeForStatus: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: ErrorCode.ValidationFailed,
  [HttpStatus.UNAUTHORIZED]: ErrorCode.Unauthenticated,
  [HttpStatus.FORBIDDEN]: ErrorCode.Forbidden,
  [HttpStatus.NOT_FOUND]: ErrorCode.NotFound,
  [HttpStatus.CONFLICT]: ErrorCode.Conflict,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCode.PayloadTooLarge,
  [HttpStatus.TOO_MANY_REQUESTS]: ErrorCode.RateLimited,
};

export function toEnvelope(error: unknown): { status: number; body: ErrorEnvelope; unexpected: boolean } {
  if (error instanceof DomainError)
    return { status: httpStatusOf[error.code], body: error.toEnvelope(), unexpected: false };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? response.message
        : error.message;
    const code = codeForStatus[status] ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.ValidationFailed);
    const body: ErrorEnvelope = Array.isArray(message)
      ? { error: { code, message: 'request failed validation', details: { problems: message as unknown[] } } }
      : { error: { code, message: String(message) } };
    return { status, body, unexpected: status >= 500 };
  }
  // body-parser errors carry a status and a type.
  const bodyError = error as { status?: number; type?: string; message?: string };
  if (bodyError?.type === 'entity.too.large')
    return {
      status: 413,
      body: { error: { code: ErrorCode.PayloadTooLarge, message: 'request body too large' } },
      unexpected: false,
    };
  if (typeof bodyError?.status === 'number' && bodyError.status >= 400 && bodyError.status < 500)
    return {
      status: bodyError.status,
      body: { error: { code: ErrorCode.ValidationFailed, message: bodyError.message ?? 'bad request' } },
      unexpected: false,
    };
  return {
    status: 500,
    body: { error: { code: ErrorCode.Internal, message: 'internal error' } },
    unexpected: true,
  };
}

@Catch()
export class EnvelopeExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body, unexpected } = toEnvelope(exception);
    if (unexpected) this.logger.error({ err: exception }, 'unhandled error');
    if (response.headersSent) return;
    response.status(status).json(body);
  }
}

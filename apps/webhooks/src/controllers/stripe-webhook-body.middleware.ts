/**
 * Reads the raw body of `POST /webhooks/stripe` before any body parser runs, refusing an oversized body with
 * 413 as soon as its size is known: from Content-Length before reading a byte, or mid-stream for a body
 * without one. Nothing oversized is parsed, hashed or stored. The bytes are kept exactly as received, because
 * the signature covers them and not any re-serialisation.
 */
import type { NextFunction, Request, Response } from 'express';
import { DomainError, ErrorCode } from '@tollgate/contracts';

export interface RawBodyRequest extends Request {
  rawBody?: Buffer;
}

export interface WebhookBodyHooks {
  /** Every POST, before anything is read. */
  received(): void;
  tooLarge(req: Request, declaredBytes: number | undefined): void;
}

export function stripeWebhookBody(maxBytes: number, hooks: WebhookBodyHooks) {
  const refuse = (req: Request, res: Response, declaredBytes: number | undefined) => {
    hooks.tooLarge(req, declaredBytes);
    const body = new DomainError(
      ErrorCode.PayloadTooLarge,
      `webhook body exceeds ${maxBytes} bytes`,
    ).toEnvelope();
    // Close the connection rather than read (and discard) the rest of an oversized body.
    res.status(413).setHeader('Connection', 'close');
    res.json(body);
  };

  return function readStripeWebhookBody(req: RawBodyRequest, res: Response, next: NextFunction): void {
    if (req.method !== 'POST') return next();
    hooks.received();
    const declared =
      req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (declared !== undefined && declared > maxBytes) return refuse(req, res, declared);

    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        finish();
        refuse(req, res, declared);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (done) return;
      finish();
      req.rawBody = Buffer.concat(chunks, size);
      next();
    };
    const onError = (error: Error) => {
      if (done) return;
      finish();
      next(error);
    };
    function finish() {
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  };
}

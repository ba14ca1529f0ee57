/**
 * Stripe's HTTP conventions in one place: Bearer sk_test_ auth, form-encoded params (query for GET),
 * `expand[]`, Idempotency-Key replay/conflict, Request-Id and Stripe-Version headers, and the error envelope.
 * Handlers are synchronous functions over in-memory state, so a request is atomic.
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type NextFunction } from 'express';
import qs from 'qs';
import { API_VERSION } from '../billing/object-builders';
import type { EmulatorContext } from './emulator-context';
import { applyExpand } from './expand';
import { ParamReader, type RawParams } from './params';
import { StripeApiError } from './stripe-error';

export interface ApiRequest {
  params: ParamReader;
  path: Record<string, string>;
}

export type ApiHandler = (req: ApiRequest) => unknown;

interface StoredResponse {
  fingerprint: string;
  params: string;
  status: number;
  body: string;
}

export class ApiRouter {
  readonly router = express.Router();
  private readonly idempotency = new Map<string, StoredResponse>();
  /** Stripe's rate limiter, when configured: a bucket of `rateLimitPerSecond` tokens refilled continuously. */
  private bucket = { tokens: 0, at: 0, rate: 0 };

  constructor(
    private readonly ctx: EmulatorContext,
    private readonly virtual: (node: Record<string, unknown>, key: string) => unknown,
  ) {
    this.router.use('/v1', express.text({ type: () => true, limit: '1mb' }));
    this.router.use('/v1', (req, res, next) => this.authenticate(req, res, next));
  }

  clearIdempotency(): void {
    this.idempotency.clear();
  }

  get(path: string, handler: ApiHandler): void {
    this.router.get(path, (req, res) => this.handle(req, res, handler));
  }

  post(path: string, handler: ApiHandler): void {
    this.router.post(path, (req, res) => this.handle(req, res, handler));
  }

  delete(path: string, handler: ApiHandler): void {
    this.router.delete(path, (req, res) => this.handle(req, res, handler));
  }

  private authenticate(req: Request, res: Response, next: NextFunction): void {
    const header = req.header('authorization') ?? '';
    let key = '';
    if (header.startsWith('Bearer ')) key = header.slice(7).trim();
    else if (header.startsWith('Basic '))
      key = Buffer.from(header.slice(6), 'base64').toString().split(':')[0];
    if (!key) {
      send(
        res,
        new StripeApiError(401, {
          type: 'invalid_request_error',
          message:
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        }),
      );
      return;
    }
    if (!/^(sk|rk)_test_/.test(key)) {
      send(
        res,
        new StripeApiError(401, {
          type: 'invalid_request_error',
          code: 'api_key_invalid',
          message: `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}. The emulator accepts test-mode keys (sk_test_...) only.`,
        }),
      );
      return;
    }
    res.locals.apiKey = key;
    if (this.rateLimited()) {
      send(
        res,
        new StripeApiError(429, {
          type: 'invalid_request_error',
          code: 'rate_limit',
          message:
            'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.',
        }),
      );
      return;
    }
    next();
  }

  private rateLimited(): boolean {
    const rate = this.ctx.config.rateLimitPerSecond;
    if (!rate) return false;
    const now = Date.now();
    if (this.bucket.rate !== rate) this.bucket = { tokens: rate, at: now, rate };
    this.bucket.tokens = Math.min(rate, this.bucket.tokens + ((now - this.bucket.at) / 1000) * rate);
    this.bucket.at = now;
    if (this.bucket.tokens < 1) return true;
    this.bucket.tokens -= 1;
    return false;
  }

  private handle(req: Request, res: Response, handler: ApiHandler): void {
    const requestId = `req_${randomBytes(7).toString('hex')}`;
    res.setHeader('Request-Id', requestId);
    res.setHeader('Stripe-Version', req.header('stripe-version') ?? API_VERSION);
    let raw: RawParams;
    try {
      raw = parseParams(req);
    } catch {
      send(res, new StripeApiError(400, { type: 'invalid_request_error', message: 'Invalid request body.' }));
      return;
    }
    const key = req.method !== 'GET' ? req.header('idempotency-key') : undefined;
    const storeKey = key ? `${String(res.locals.apiKey)}:${key}` : undefined;
    const fingerprint = `${req.method} ${req.path}`;
    const paramsJson = JSON.stringify(raw);
    if (storeKey) {
      const stored = this.idempotency.get(storeKey);
      if (stored) {
        if (stored.fingerprint !== fingerprint || stored.params !== paramsJson) {
          send(
            res,
            new StripeApiError(400, {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
            }),
          );
          return;
        }
        res.setHeader('Idempotent-Replayed', 'true');
        res.status(stored.status).type('application/json').send(stored.body);
        return;
      }
    }
    this.ctx.currentRequest = { id: requestId, idempotencyKey: key ?? null };
    let status = 200;
    let body: string;
    try {
      const params = new ParamReader(raw);
      const result = handler({ params, path: req.params as Record<string, string> });
      const expand = params.strings('expand') ?? [];
      const expanded =
        expand.length > 0 ? applyExpand(result, expand, (id) => this.ctx.lookup(id), this.virtual) : result;
      body = JSON.stringify(expanded, null, 2);
    } catch (error) {
      const apiError = toApiError(error);
      status = apiError.status;
      body = JSON.stringify(apiError.toJSON(), null, 2);
      // Stripe saves no result when validation fails before the request starts executing.
      if (status === 400 && apiError.body.type === 'invalid_request_error' && storeKey) {
        res.status(status).type('application/json').send(body);
        return;
      }
    } finally {
      this.ctx.currentRequest = { id: null, idempotencyKey: null };
    }
    if (storeKey && status < 500)
      this.idempotency.set(storeKey, { fingerprint, params: paramsJson, status, body });
    res.status(status).type('application/json').send(body);
  }
}

function parseParams(req: Request): RawParams {
  const options = { depth: 20, arrayLimit: 1000, parameterLimit: 10_000, allowDots: false };
  const query = qs.parse(
    req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '',
    options,
  ) as RawParams;
  const text = typeof req.body === 'string' ? req.body : '';
  if (!text) return query;
  const body = (req.header('content-type') ?? '').includes('application/json')
    ? (JSON.parse(text) as RawParams)
    : (qs.parse(text, options) as RawParams);
  return { ...query, ...body };
}

export function toApiError(error: unknown): StripeApiError {
  if (error instanceof StripeApiError) return error;
  return new StripeApiError(500, {
    type: 'api_error',
    message: `The emulator hit an internal error: ${(error as Error)?.message ?? String(error)}`,
  });
}

export function send(res: Response, error: StripeApiError): void {
  res
    .status(error.status)
    .type('application/json')
    .send(JSON.stringify(error.toJSON(), null, 2));
}

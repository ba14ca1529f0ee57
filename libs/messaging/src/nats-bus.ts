/**
 * NATS plumbing shared by every service and by the entitlements client library.
 *
 * - Request/reply (queries): core NATS with a queue group per service and a timeout; the reply is the plain
 *   JSON value or `{"error": {...}}`, so any NATS client in any language can call us. Requests share one
 *   muxed inbox subscription per connection (nats.js default), not a subscription per request.
 * - Events that must not be lost: JetStream, published with Nats-Msg-Id, consumed by durable pull consumers
 *   (see jetstream-consumer.ts for the ack policy).
 * - Broadcasts (cache invalidation): core NATS publish without a queue group.
 * A namespace (NATS_NAMESPACE) prefixes every subject and stream name so test runs never see each other.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  connect,
  headers as natsHeaders,
  type JetStreamClient,
  type JetStreamManager,
  type MsgHdrs,
  type NatsConnection,
  type PubAck,
  type Subscription,
  RetentionPolicy,
  StorageType,
  DiscardPolicy,
  nanos,
  ErrorCode as NatsErrorCode,
  Events,
  NatsError,
} from 'nats';
import type { Logger } from 'pino';
import {
  DomainError,
  ErrorCode,
  Header,
  type EventMap,
  type EventSubject,
  type RequestMap,
  type RequestSubject,
  type StreamDefinition,
} from '@tollgate/contracts';
import { currentCorrelationId, sanitizeCorrelationId, withCorrelation } from '@tollgate/observability';
import { validateMessage, type Schema } from './validation';

export interface NatsBusOptions {
  url: string;
  name: string;
  namespace?: string;
  requestTimeoutMs?: number;
  /**
   * Copies of each stream the cluster keeps (1 on a single server). With more than one, a publication is
   * acknowledged once a majority holds it, which is what makes an acknowledged event survive the loss of a
   * node; a single server only fsyncs every `sync_interval` (see docs/operations.md).
   */
  streamReplicas?: number;
  logger: Logger;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJson(data: Uint8Array): unknown {
  return JSON.parse(decoder.decode(data));
}

export function headersToRecord(headers: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [key, values] of headers) out[key] = values[0] ?? '';
  return out;
}

export class NatsBus {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly subscriptions: Subscription[] = [];
  private readonly stoppers: (() => Promise<void>)[] = [];
  private closing = false;
  readonly js: JetStreamClient;

  private constructor(
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
    private readonly options: NatsBusOptions,
  ) {
    this.js = nc.jetstream();
  }

  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    const nc = await connect({
      servers: options.url.split(','),
      name: options.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: false,
      // Without this, every request and JetStream publication captures a stack trace up front in case it
      // times out: measured as the largest single cost of a publication on the webhook hot path. Our own
      // errors name the subject and the operation instead.
      noAsyncTraces: true,
    });
    const jsm = await nc.jetstreamManager();
    const bus = new NatsBus(nc, jsm, options);
    void bus.watchStatus();
    return bus;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  get namespace(): string {
    return this.options.namespace ?? '';
  }

  /** The wire subject for a contract subject. */
  subject(subject: string): string {
    return this.namespace ? `${this.namespace}.${subject}` : subject;
  }

  /** The contract subject for a wire subject. */
  unprefix(subject: string): string {
    const prefix = this.namespace ? `${this.namespace}.` : '';
    return prefix && subject.startsWith(prefix) ? subject.slice(prefix.length) : subject;
  }

  streamName(stream: StreamDefinition): string {
    return this.namespace ? `${this.namespace}_${stream.name}` : stream.name;
  }

  /** Creates or updates streams; safe to call from every replica at every boot. */
  async ensureStreams(streams: readonly StreamDefinition[]): Promise<void> {
    for (const stream of streams) {
      const config = {
        name: this.streamName(stream),
        subjects: stream.subjects.map((s) => this.subject(s)),
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        max_age: nanos(stream.maxAgeSeconds * 1000),
        duplicate_window: nanos(stream.duplicateWindowSeconds * 1000),
        num_replicas: this.options.streamReplicas ?? 1,
      };
      try {
        await this.jsm.streams.info(config.name);
        await this.jsm.streams.update(config.name, config);
      } catch (error) {
        if (!(error instanceof NatsError) || !/stream not found/i.test(error.message)) throw error;
        try {
          await this.jsm.streams.add(config);
        } catch (addError) {
          // Another replica created it between our info and add.
          if (!(addError instanceof NatsError) || !/already in use/i.test(addError.message)) throw addError;
        }
      }
    }
  }

  /** Whether the connection is up and every named stream answers. */
  async streamsReady(streams: readonly StreamDefinition[]): Promise<{ ok: boolean; detail: string }> {
    if (this.nc.isClosed()) return { ok: false, detail: 'connection closed' };
    try {
      for (const stream of streams) await this.jsm.streams.info(this.streamName(stream));
      return { ok: true, detail: 'ok' };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  private outgoingHeaders(extra?: Record<string, string>): MsgHdrs {
    const h = natsHeaders();
    const correlationId = currentCorrelationId();
    if (correlationId) h.set(Header.CorrelationId, correlationId);
    for (const [k, v] of Object.entries(extra ?? {})) h.set(k, v);
    return h;
  }

  /** Typed request/reply; an error reply becomes a thrown DomainError with the same code. */
  async request<S extends RequestSubject>(
    subject: S,
    payload: RequestMap[S]['request'],
    options: { timeoutMs?: number } = {},
  ): Promise<RequestMap[S]['reply']> {
    return (await this.requestRaw(subject, payload, options)) as RequestMap[S]['reply'];
  }

  async requestRaw(
    subject: string,
    payload: unknown,
    options: { timeoutMs?: number } = {},
  ): Promise<unknown> {
    const timeout = options.timeoutMs ?? this.options.requestTimeoutMs ?? 5000;
    let reply;
    try {
      reply = await this.nc.request(this.subject(subject), encodeJson(payload), {
        timeout,
        headers: this.outgoingHeaders(),
      });
    } catch (error) {
      if (error instanceof NatsError && error.code === (NatsErrorCode.NoResponders as string))
        throw new DomainError(ErrorCode.UpstreamUnavailable, `no service answers ${subject}`);
      if (error instanceof NatsError && error.code === (NatsErrorCode.Timeout as string))
        throw new DomainError(ErrorCode.Timeout, `${subject} did not answer within ${timeout} ms`);
      throw error;
    }
    const value = decodeJson(reply.data);
    if (typeof value === 'object' && value !== null && 'error' in value) {
      const body = (
        value as { error: { code: ErrorCode; message: string; details?: Record<string, unknown> } }
      ).error;
      throw new DomainError(body.code, body.message, body.details);
    }
    return value;
  }

  /**
   * Answers a request subject within a queue group. The payload is validated against `schema` (unknown
   * fields refused); the handler's value is the reply; a DomainError becomes an error reply with its code.
   */
  serve<S extends RequestSubject>(
    subject: S,
    schema: Schema<RequestMap[S]['request'] & object>,
    handler: (request: RequestMap[S]['request']) => Promise<RequestMap[S]['reply']>,
    options: { queue: string },
  ): void {
    const sub = this.nc.subscribe(this.subject(subject), {
      queue: options.queue,
      callback: (error, msg) => {
        if (error) {
          this.logger.error({ err: error, subject }, 'subscription error');
          return;
        }
        const correlationId = sanitizeCorrelationId(msg.headers?.get(Header.CorrelationId));
        const work = withCorrelation(correlationId, async () => {
          let reply: unknown;
          try {
            const request = await validateMessage(schema, decodeJsonSafe(msg.data));
            reply = await handler(request);
          } catch (thrown) {
            reply = this.errorReply(subject, thrown);
          }
          if (msg.reply) msg.respond(encodeJson(reply));
        });
        void this.track(work);
      },
    });
    this.subscriptions.push(sub);
  }

  errorReply(subject: string, thrown: unknown): unknown {
    if (thrown instanceof DomainError) return thrown.toEnvelope();
    this.logger.error({ err: thrown, subject }, 'request handler failed');
    return new DomainError(ErrorCode.Internal, 'internal error').toEnvelope();
  }

  /** Publishes a domain event to JetStream; `msgId` makes a republish a no-op within the stream's window. */
  async publish<S extends EventSubject>(
    subject: S,
    payload: EventMap[S],
    options: { msgId: string },
  ): Promise<PubAck> {
    return this.publishRaw(subject, encodeJson(payload), { msgId: options.msgId });
  }

  async publishRaw(
    subject: string,
    data: Uint8Array,
    options: { msgId: string; headers?: Record<string, string>; timeoutMs?: number },
  ): Promise<PubAck> {
    return this.js.publish(this.subject(subject), data, {
      msgID: options.msgId,
      headers: this.outgoingHeaders(options.headers),
      timeout: options.timeoutMs ?? 5000,
    });
  }

  /** Core NATS publish to every subscriber (no queue group, no persistence). */
  broadcast(subject: string, payload: unknown): void {
    this.nc.publish(this.subject(subject), encodeJson(payload), { headers: this.outgoingHeaders() });
  }

  /** Subscribes to a broadcast subject on this process (every replica receives every message). */
  listen(subject: string, handler: (payload: unknown) => void | Promise<void>): Subscription {
    const sub = this.nc.subscribe(this.subject(subject), {
      callback: (error, msg) => {
        if (error) return;
        const correlationId = sanitizeCorrelationId(msg.headers?.get(Header.CorrelationId));
        void this.track(
          withCorrelation(correlationId, async () => {
            try {
              await handler(decodeJsonSafe(msg.data));
            } catch (thrown) {
              this.logger.error({ err: thrown, subject }, 'broadcast handler failed');
            }
          }),
        );
      },
    });
    this.subscriptions.push(sub);
    return sub;
  }

  /** Registers a stop hook run by `close` before the connection drains (consumers use it). */
  onStop(stop: () => Promise<void>): void {
    this.stoppers.push(stop);
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /**
   * Graceful shutdown: stop taking new work (unsubscribe, stop consumers), let in-flight handlers finish
   * within `graceMs`, then drain the connection so pending publishes and acks are flushed.
   */
  async close(graceMs = 10_000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const sub of this.subscriptions) sub.unsubscribe();
    await Promise.allSettled(this.stoppers.map((stop) => stop()));
    const grace = new AbortController();
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      sleep(graceMs, undefined, { signal: grace.signal }).catch(() => undefined),
    ]);
    grace.abort();
    if (!this.nc.isClosed()) {
      try {
        await this.nc.drain();
      } catch {
        await this.nc.close();
      }
    }
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if ([Events.Disconnect, Events.Reconnect, Events.Error].includes(status.type as Events))
        this.logger.warn({ nats: status.type, data: JSON.stringify(status.data) }, 'nats connection status');
    }
  }
}

function decodeJsonSafe(data: Uint8Array): unknown {
  try {
    return decodeJson(data);
  } catch {
    throw new DomainError(ErrorCode.ValidationFailed, 'message is not valid JSON');
  }
}

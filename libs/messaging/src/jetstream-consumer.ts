/**
 * Ack policy for every durable JetStream consumer in Tollgate:
 * 1. The handler commits its effect (and its dedupe record) in one database transaction, then we ack.
 * 2. A handler that throws is nak'ed with the next backoff delay; JetStream redelivers it.
 * 3. On the last allowed delivery a failure is published to `deadletter.v1.<consumer>` with the reason and
 *    the payload, and only once that publish is acknowledged is the message terminated. If it cannot be
 *    dead-lettered it is nak'ed again: nothing is ever dropped silently.
 * 4. The server's max_deliver is unlimited; the bound is ours, so a crash loop cannot silently exhaust it.
 * Handlers must be idempotent: redelivery after a crash between commit and ack is normal.
 */
import {
  AckPolicy,
  ConsumerEvents,
  DeliverPolicy,
  nanos,
  NatsError,
  type ConsumerMessages,
  type JsMsg,
} from 'nats';

import { Header, deadLetterSubject, type StreamDefinition } from '@tollgate/contracts';
import { sanitizeCorrelationId, withCorrelation, type Metrics } from '@tollgate/observability';
import { decodeJson, headersToRecord, type NatsBus } from './nats-bus';

/** Consumer events worth a log line (heartbeats missed, consumer or stream missing...), not debug chatter. */
const CONSUMER_EVENTS = Object.values(ConsumerEvents) as string[];
const MISSING: string[] = [
  ConsumerEvents.ConsumerNotFound,
  ConsumerEvents.ConsumerDeleted,
  ConsumerEvents.StreamNotFound,
];

export interface ConsumedMessage {
  /** The contract subject (namespace removed). */
  subject: string;
  data: Uint8Array;
  headers: Record<string, string>;
  /** 1 on the first delivery. */
  deliveryCount: number;
  streamSequence: number;
  msgId: string | undefined;
  json<T = unknown>(): T;
}

export interface ConsumeOptions {
  stream: StreamDefinition;
  durable: string;
  filterSubject?: string;
  /** Deliveries before dead-lettering (default 5). */
  maxDeliver?: number;
  /** Delay before each redelivery, by attempt; the last value repeats (default 1s, 5s, 15s, 60s). */
  backoffMs?: number[];
  ackWaitMs?: number;
  /** A consume that leaves pending messages undelivered this long is treated as stalled and renewed (default 15 s). */
  stallAfterMs?: number;
  /** Messages handled at once (default 1: in stream order). */
  concurrency?: number;
  metrics?: Metrics;
  handler: (message: ConsumedMessage) => Promise<void>;
}

export interface ConsumerHandle {
  stop(): Promise<void>;
}

/**
 * Whether a consume that holds nothing and has received nothing for `idleMs` is stalled, from the server's
 * view of the consumer. Messages pending delivery should arrive within `stallAfterMs`. Messages only awaiting
 * an ack (delivered to a pull that a broker restart lost, or nak'ed with a delay) come back once their ack wait
 * or backoff has run out, so they count as stalled only after the longest of those plus `stallAfterMs`: a
 * consume whose pull was lost would otherwise wait on them forever.
 */
export function isStalled(
  server: { pending: number; ackPending: number },
  idleMs: number,
  limits: { stallAfterMs: number; ackPendingStallMs: number },
): boolean {
  if (server.pending > 0) return idleMs >= limits.stallAfterMs;
  if (server.ackPending > 0) return idleMs >= limits.ackPendingStallMs;
  return false;
}

export function backoffFor(deliveryCount: number, backoffMs: number[]): number {
  return backoffMs[Math.min(deliveryCount - 1, backoffMs.length - 1)] ?? 1000;
}

export async function consumeDurable(bus: NatsBus, options: ConsumeOptions): Promise<ConsumerHandle> {
  const stream = bus.streamName(options.stream);
  const maxDeliver = options.maxDeliver ?? 5;
  const backoffMs = options.backoffMs ?? [1000, 5000, 15_000, 60_000];
  const concurrency = options.concurrency ?? 1;
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const config = {
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(ackWaitMs),
    max_deliver: -1,
    max_ack_pending: Math.max(concurrency * 4, 64),
    ...(options.filterSubject ? { filter_subject: bus.subject(options.filterSubject) } : {}),
  };
  const ensureConsumer = async (): Promise<void> => {
    try {
      await bus.jsm.consumers.info(stream, options.durable);
      await bus.jsm.consumers.update(stream, options.durable, config);
    } catch (error) {
      if (!(error instanceof NatsError) || !/consumer not found/i.test(error.message)) throw error;
      await bus.jsm.consumers.add(stream, config);
    }
  };
  await ensureConsumer();

  const outcomes = options.metrics?.counter(
    'jetstream_messages_total',
    'JetStream messages handled by outcome',
    ['consumer', 'outcome'],
  );
  // Short heartbeats so a pull lost to a broker restart is noticed and re-issued within seconds.
  const consumeOptions = {
    max_messages: Math.max(concurrency * 2, 10),
    expires: 10_000,
    idle_heartbeat: 5_000,
  };
  const subscribe = async (): Promise<ConsumerMessages> => {
    const consumer = await bus.js.consumers.get(stream, options.durable);
    const messages = await consumer.consume(consumeOptions);
    void (async () => {
      for await (const status of await messages.status()) {
        if (!CONSUMER_EVENTS.includes(status.type)) continue;
        bus.logger.warn(
          { consumer: options.durable, status: status.type, data: String(status.data) },
          'consumer status',
        );
        // A consumer or stream gone from under us is not coming back by itself: end this consume, and the
        // loop below declares the consumer again and resubscribes.
        if (MISSING.includes(status.type)) await messages.close();
      }
    })().catch(() => undefined);
    return messages;
  };
  let messages: ConsumerMessages = await subscribe();
  /** Handlers in flight, with what they handle and since when (a handler that never settles stalls the consume). */
  const running = new Map<
    Promise<void>,
    { subject: string; seq: number; startedAt: number; reported: boolean }
  >();
  let stopped = false;
  let lastDelivery = Date.now();

  // Watchdog: after a broker restart a pull can be lost without the client noticing. When the server holds
  // messages for this consumer, none are in our hands, and nothing arrived for a while, renew the consume.
  const stallAfterMs = options.stallAfterMs ?? 15_000;
  const stallLimits = { stallAfterMs, ackPendingStallMs: Math.max(ackWaitMs, ...backoffMs) + stallAfterMs };
  let infoFailureLoggedAt = 0;
  const watchdog = setInterval(
    () => {
      // A handler still running after the ack wait holds the consume (it waits for a free slot): say so once,
      // with what it is handling, since JetStream will redeliver that message meanwhile.
      for (const handling of running.values()) {
        if (handling.reported || Date.now() - handling.startedAt < ackWaitMs) continue;
        handling.reported = true;
        bus.logger.error(
          { consumer: options.durable, subject: handling.subject, seq: handling.seq },
          'handler still running after the ack wait; the consumer waits for it',
        );
      }
      if (stopped || running.size > 0 || Date.now() - lastDelivery < stallAfterMs) return;
      bus.jsm.consumers
        .info(stream, options.durable)
        .then(async (info) => {
          if (stopped || running.size > 0) return;
          const server = { pending: info.num_pending, ackPending: info.num_ack_pending };
          if (!isStalled(server, Date.now() - lastDelivery, stallLimits)) return;
          bus.logger.warn({ consumer: options.durable, ...server }, 'consumer stalled; renewing');
          lastDelivery = Date.now();
          await messages.close();
        })
        .catch((error: unknown) => {
          if (Date.now() - infoFailureLoggedAt < stallAfterMs) return;
          infoFailureLoggedAt = Date.now();
          bus.logger.warn(
            { err: error, consumer: options.durable },
            'stall watchdog could not read the consumer; will retry',
          );
        });
    },
    Math.max(1000, Math.floor(stallAfterMs / 3)),
  );
  watchdog.unref();

  const handleOne = async (msg: JsMsg): Promise<void> => {
    const headers = headersToRecord(msg.headers);
    const message: ConsumedMessage = {
      subject: bus.unprefix(msg.subject),
      data: msg.data,
      headers,
      deliveryCount: msg.info.deliveryCount,
      streamSequence: msg.seq,
      msgId: headers[Header.MsgId],
      json: <T>() => decodeJson(msg.data) as T,
    };
    await withCorrelation(sanitizeCorrelationId(headers[Header.CorrelationId]), async () => {
      try {
        await options.handler(message);
        msg.ack();
        outcomes?.inc({ consumer: options.durable, outcome: 'acked' });
      } catch (error) {
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        if (message.deliveryCount < maxDeliver) {
          bus.logger.warn(
            {
              err: error,
              subject: message.subject,
              delivery: message.deliveryCount,
              consumer: options.durable,
            },
            'handler failed; will redeliver',
          );
          msg.nak(backoffFor(message.deliveryCount, backoffMs));
          outcomes?.inc({ consumer: options.durable, outcome: 'retried' });
          return;
        }
        try {
          await bus.publishRaw(deadLetterSubject(options.durable), msg.data, {
            msgId: `dl:${stream}:${options.durable}:${msg.seq}`,
            headers: {
              [Header.DeadLetterReason]: reason.slice(0, 2000).replace(/[\r\n]+/g, ' '),
              [Header.DeadLetterSubject]: message.subject,
              [Header.DeadLetterConsumer]: options.durable,
              [Header.DeadLetterStreamSeq]: String(msg.seq),
            },
          });
          msg.term();
          outcomes?.inc({ consumer: options.durable, outcome: 'dead_lettered' });
          bus.logger.error(
            { err: error, subject: message.subject, consumer: options.durable },
            'dead-lettered',
          );
        } catch (publishError) {
          bus.logger.error({ err: publishError }, 'dead-letter publish failed; will redeliver');
          msg.nak(backoffFor(message.deliveryCount, backoffMs));
        }
      }
    });
  };

  const drain = async (current: ConsumerMessages): Promise<void> => {
    for await (const msg of current) {
      lastDelivery = Date.now();
      if (stopped) {
        msg.nak();
        continue;
      }
      const work = bus.track(handleOne(msg));
      running.set(work, {
        subject: bus.unprefix(msg.subject),
        seq: msg.seq,
        startedAt: Date.now(),
        reported: false,
      });
      void work.finally(() => running.delete(work));
      if (running.size >= concurrency) await Promise.race(running.keys());
    }
  };

  // The client library ends a consume when it gives up (a broker restart at the wrong moment, a consumer
  // briefly missing): a consumer that silently stopped would leave its stream unread, so resubscribe.
  const loop = (async () => {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        await drain(messages);
      } catch (error) {
        bus.logger.warn({ err: error, consumer: options.durable }, 'consumer ended with an error');
      }
      if (stopped) return;
      bus.logger.warn({ consumer: options.durable, attempt }, 'consumer ended; subscribing again');
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** Math.min(attempt, 5))));
      try {
        if (stopped) return;
        await ensureConsumer();
        messages = await subscribe();
        attempt = -1;
      } catch (error) {
        bus.logger.warn({ err: error, consumer: options.durable }, 'resubscribing failed; will retry');
      }
    }
  })();

  const handle: ConsumerHandle = {
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(watchdog);
      await messages.close();
      await Promise.allSettled([...running.keys()]);
      await loop.catch(() => undefined);
    },
  };
  bus.onStop(() => handle.stop());
  return handle;
}

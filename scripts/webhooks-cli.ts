/**
 * Operator CLI for the webhooks service, over the same NATS subjects the gateway's operator routes use (the
 * webhooks service must be running). Prints JSON. Reads NATS_URL and NATS_NAMESPACE.
 *
 *   node dist/scripts/webhooks-cli.js dead-letters list [--status open|replayed] [--limit N] [--cursor C]
 *   node dist/scripts/webhooks-cli.js dead-letters show <id>
 *   node dist/scripts/webhooks-cli.js dead-letters replay <id>
 *   node dist/scripts/webhooks-cli.js events list [--status received|published|ignored] [--limit N] [--cursor C]
 *   node dist/scripts/webhooks-cli.js events show <evt_id>
 *   node dist/scripts/webhooks-cli.js catch-up --since <ISO time | unix seconds>
 *   node dist/scripts/webhooks-cli.js republish --since <ISO time | unix seconds> [--until <ISO time | unix seconds>]
 */
import 'reflect-metadata';
import pino from 'pino';
import { DomainError, WebhooksSubject, type DeadLetterListRequest } from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';

const USAGE = `usage:
  webhooks-cli dead-letters list [--status open|replayed] [--limit N] [--cursor C]
  webhooks-cli dead-letters show <id>
  webhooks-cli dead-letters replay <id>
  webhooks-cli events list [--status received|published|ignored] [--limit N] [--cursor C]
  webhooks-cli events show <evt_id>
  webhooks-cli catch-up --since <ISO time | unix seconds>
  webhooks-cli republish --since <ISO time | unix seconds> [--until <ISO time | unix seconds>]`;

export class UsageError extends Error {}

export function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
  return value;
}

/** `2026-01-01T00:00:00Z` or unix seconds, to unix seconds. */
export function parseSince(value: string | undefined, name = 'since'): number {
  if (!value) throw new UsageError(`--${name} is required`);
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`--${name} ${value} is neither an ISO time nor unix seconds`);
  return Math.floor(ms / 1000);
}

function listRequest(args: string[]): DeadLetterListRequest {
  const limit = option(args, 'limit');
  if (limit !== undefined && !/^\d+$/.test(limit)) throw new UsageError('--limit must be a number');
  return {
    ...(option(args, 'status') ? { status: option(args, 'status') } : {}),
    ...(option(args, 'cursor') ? { cursor: option(args, 'cursor') } : {}),
    ...(limit ? { limit: Number(limit) } : {}),
  };
}

function required(value: string | undefined, what: string): string {
  if (!value || value.startsWith('--')) throw new UsageError(`${what} is required`);
  return value;
}

export async function run(args: string[], bus: NatsBus): Promise<unknown> {
  const [area, command, target] = args;
  switch (`${area} ${command}`) {
    case 'dead-letters list':
      return bus.request(WebhooksSubject.ListDeadLetters, listRequest(args));
    case 'dead-letters show':
      return bus.request(WebhooksSubject.GetDeadLetter, { id: required(target, 'a dead letter id') });
    case 'dead-letters replay':
      return bus.request(WebhooksSubject.ReplayDeadLetter, { id: required(target, 'a dead letter id') });
    case 'events list':
      return bus.request(WebhooksSubject.ListEvents, listRequest(args));
    case 'events show':
      return bus.request(WebhooksSubject.GetEvent, { id: required(target, 'an event id') });
    default:
      if (area === 'catch-up')
        // Listing a long outage's events from Stripe takes a while: a generous timeout.
        return bus.request(
          WebhooksSubject.CatchUp,
          { since: parseSince(option(args, 'since')) },
          { timeoutMs: 600_000 },
        );
      if (area === 'republish') {
        const until = option(args, 'until');
        return bus.request(WebhooksSubject.Republish, {
          since: parseSince(option(args, 'since')),
          ...(until === undefined ? {} : { until: parseSince(until, 'until') }),
        });
      }
      throw new UsageError(`unknown command: ${args.join(' ')}`);
  }
}

async function cli(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return args.length === 0 ? 2 : 0;
  }
  const bus = await NatsBus.connect({
    url: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    name: 'webhooks-cli',
    namespace: process.env.NATS_NAMESPACE ?? '',
    logger: pino({ level: 'silent' }),
  });
  try {
    process.stdout.write(`${JSON.stringify(await run(args, bus), null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n${USAGE}\n`);
    else if (error instanceof DomainError) process.stderr.write(`${error.code}: ${error.message}\n`);
    else process.stderr.write(`${String(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    await bus.close(1000);
  }
}

if (require.main === module) void cli().then((code) => process.exit(code));

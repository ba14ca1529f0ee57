/**
 * What the operator CLIs (webhooks-cli, billing-cli) share: options, times, and a main that connects to NATS
 * (NATS_URL, NATS_NAMESPACE), runs one command over the same subjects the gateway's operator routes use,
 * prints its answer as JSON and exits 0, 1 when the command failed, 2 on bad usage.
 */
import 'reflect-metadata';
import pino from 'pino';
import { DomainError } from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';

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

/** `--since` and an optional `--until`, as a republish request. */
export function republishWindow(args: string[]): { since: number; until?: number } {
  const until = option(args, 'until');
  return {
    since: parseSince(option(args, 'since')),
    ...(until === undefined ? {} : { until: parseSince(until, 'until') }),
  };
}

export type Command = (args: string[], bus: NatsBus) => Promise<unknown>;

/** Runs `command` on this process's arguments; resolves to the exit code. */
export async function operatorCli(name: string, usage: string, command: Command): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.includes('--help')) {
    process.stdout.write(`${usage}\n`);
    return args.length === 0 ? 2 : 0;
  }
  const bus = await NatsBus.connect({
    url: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    name,
    namespace: process.env.NATS_NAMESPACE ?? '',
    logger: pino({ level: 'silent' }),
  });
  try {
    process.stdout.write(`${JSON.stringify(await command(args, bus), null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n${usage}\n`);
    else if (error instanceof DomainError) process.stderr.write(`${error.code}: ${error.message}\n`);
    else process.stderr.write(`${String(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    await bus.close(1000);
  }
}

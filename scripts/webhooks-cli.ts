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
import { WebhooksSubject, type DeadLetterListRequest } from '@tollgate/contracts';
import type { NatsBus } from '@tollgate/messaging';
import { UsageError, operatorCli, option, parseSince, republishWindow } from './operator-cli';

const USAGE = `usage:
  webhooks-cli dead-letters list [--status open|replayed] [--limit N] [--cursor C]
  webhooks-cli dead-letters show <id>
  webhooks-cli dead-letters replay <id>
  webhooks-cli events list [--status received|published|ignored] [--limit N] [--cursor C]
  webhooks-cli events show <evt_id>
  webhooks-cli catch-up --since <ISO time | unix seconds>
  webhooks-cli republish --since <ISO time | unix seconds> [--until <ISO time | unix seconds>]`;

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
      if (area === 'republish')
        // As the gateway's route: a wide window can hold many rows.
        return bus.request(WebhooksSubject.Republish, republishWindow(args), { timeoutMs: 60_000 });
      throw new UsageError(`unknown command: ${args.join(' ')}`);
  }
}

if (require.main === module) void operatorCli('webhooks-cli', USAGE, run).then((code) => process.exit(code));

/**
 * Operator CLI for the billing service, over the same NATS subject as the gateway's operator route (billing
 * must be running). Prints JSON. Reads NATS_URL and NATS_NAMESPACE.
 *
 *   node dist/scripts/billing-cli.js republish --since <ISO time | unix seconds> [--until <ISO time | unix seconds>]
 *
 * `republish` hands the outbox's domain events published in the window back to billing's relay, which
 * publishes each again under its row id (docs/operations.md, "JetStream durability"); answers `{requeued}`.
 */
import { BillingSubject } from '@tollgate/contracts';
import type { NatsBus } from '@tollgate/messaging';
import { UsageError, operatorCli, republishWindow } from './operator-cli';

const USAGE = `usage:
  billing-cli republish --since <ISO time | unix seconds> [--until <ISO time | unix seconds>]`;

export async function run(args: string[], bus: NatsBus): Promise<unknown> {
  if (args[0] === 'republish')
    // As the gateway's route: a wide window can hold many rows.
    return bus.request(BillingSubject.RepublishOutbox, republishWindow(args), { timeoutMs: 60_000 });
  throw new UsageError(`unknown command: ${args.join(' ')}`);
}

if (require.main === module) void operatorCli('billing-cli', USAGE, run).then((code) => process.exit(code));

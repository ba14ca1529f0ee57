/** `npm run bench`: runs every bench/*.bench.js module (or those named as arguments) and prints one table. */
import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatTable, type BenchModule, type BenchRow } from './harness';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => /\.bench\.js$/.test(f))
    .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)));
  const rows: BenchRow[] = [];
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(join(__dirname, file)) as { bench: BenchModule };
    process.stderr.write(`running ${mod.bench.name}...\n`);
    rows.push(...(await mod.bench.run()));
  }
  process.stdout.write(`${formatTable(rows)}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${String(error)}\n`);
  process.exit(1);
});

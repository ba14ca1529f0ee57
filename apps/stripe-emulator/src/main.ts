/** The emulator as its own process: configuration from the environment, JSON log lines, clean stop on signals. */
import { startEmulator } from './emulator';

function logLine(entry: Record<string, unknown>): void {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), service: 'stripe-emulator', ...entry })}\n`,
  );
}

async function main(): Promise<void> {
  const env = process.env;
  const problems: string[] = [];
  const port = Number(env.STRIPE_EMULATOR_PORT ?? 12111);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push('STRIPE_EMULATOR_PORT must be a port number');
  if (env.STRIPE_EMULATOR_WEBHOOK_URL && !/^https?:\/\//.test(env.STRIPE_EMULATOR_WEBHOOK_URL))
    problems.push('STRIPE_EMULATOR_WEBHOOK_URL must be an http(s) URL');
  if (env.STRIPE_EMULATOR_WEBHOOK_SECRET && !env.STRIPE_EMULATOR_WEBHOOK_SECRET.startsWith('whsec_'))
    problems.push('STRIPE_EMULATOR_WEBHOOK_SECRET must start with whsec_');
  if (env.STRIPE_EMULATOR_WEBHOOK_URL && !env.STRIPE_EMULATOR_WEBHOOK_SECRET)
    problems.push('STRIPE_EMULATOR_WEBHOOK_SECRET is required with STRIPE_EMULATOR_WEBHOOK_URL');
  if (problems.length > 0) {
    logLine({ level: 'fatal', msg: 'invalid configuration', problems });
    process.exit(1);
  }
  const emulator = await startEmulator({
    port,
    host: env.STRIPE_EMULATOR_HOST ?? '0.0.0.0',
    webhookUrl: env.STRIPE_EMULATOR_WEBHOOK_URL,
    webhookSecret: env.STRIPE_EMULATOR_WEBHOOK_SECRET,
    snapshotPath: env.STRIPE_EMULATOR_SNAPSHOT,
    publicUrl: env.STRIPE_EMULATOR_PUBLIC_URL ?? `http://127.0.0.1:${port}`,
    log: (entry) => logLine({ level: 'info', ...entry }),
  });
  const shutdown = (signal: string) => {
    logLine({ level: 'info', msg: 'stopping', signal });
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  logLine({ level: 'fatal', msg: 'failed to start', error: (error as Error).stack });
  process.exit(1);
});

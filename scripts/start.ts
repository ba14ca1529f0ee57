/**
 * `npm start`: the whole platform on local defaults with demo data. Migrates, starts the Stripe emulator,
 * the SMTP catcher and the five services, seeds the demo tenants, prints URLs and ready-to-use tokens, and
 * stops everything cleanly on Ctrl-C.
 */
import 'reflect-metadata';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { SignJWT } from 'jose';
import type { Role } from '@tollgate/contracts';
import { createStripeClient } from '@tollgate/stripe-client';
import { assertServicesUp } from '../test/support/environment';
import { migrateAll } from './migrate';
import { DEFAULT_PORTS, ROOT, startPlatform } from './platform';
import { seedDemo } from './seed-demo';

export const LOCAL_JWT_SECRET = 'tollgate-local-development-secret-change-me';
const LOCAL_WEBHOOK_SECRET = 'whsec_tollgate_local_development';
const LOCAL_STRIPE_KEY = 'sk_test_tollgate_local';

async function token(secret: string, sub: string, role: Role, tid?: string): Promise<string> {
  return new SignJWT(tid ? { role, tid } : { role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('30d')
    .sign(new TextEncoder().encode(secret));
}

/** Drops and recreates the local demo database (only ever the default one, never a configured DATABASE_URL). */
async function recreateDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  target.pathname = '/postgres';
  const admin = new Client({ connectionString: target.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
}

async function run(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tollgate';
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const jwtSecret = process.env.AUTH_JWT_SECRET ?? LOCAL_JWT_SECRET;
  process.env.TEST_DATABASE_ADMIN_URL ??= databaseUrl.replace(/\/[^/]*$/, '/postgres');
  await assertServicesUp();
  // Stripe's side of the demo (the emulator's state) and ours (the database) must describe the same world:
  // both persist between runs, and both start over with --fresh or when the emulator's state is missing.
  const stateDir = join(ROOT, '.tollgate');
  const snapshot = join(stateDir, 'stripe-emulator.json');
  const fresh = process.argv.includes('--fresh') || !existsSync(snapshot);
  if (fresh) {
    mkdirSync(stateDir, { recursive: true });
    rmSync(snapshot, { force: true });
    if (process.env.DATABASE_URL)
      console.log('DATABASE_URL is set: its data is kept; demo tenants are reused if present.');
    else {
      console.log('starting from an empty demo database...');
      await recreateDatabase(databaseUrl);
    }
  }
  console.log('migrating...');
  await migrateAll(databaseUrl, (line) => console.log(`  ${line}`));
  const logDir = join(ROOT, '.tollgate', 'logs');
  console.log(`starting processes (logs in ${logDir})...`);
  const platform = await startPlatform({
    ports: DEFAULT_PORTS,
    databaseUrl,
    natsUrl,
    jwtSecret,
    webhookSecret: LOCAL_WEBHOOK_SECRET,
    stripeSecretKey: LOCAL_STRIPE_KEY,
    logDir,
    emulatorSnapshot: snapshot,
  });
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping...');
    await platform.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());

  const operatorToken = await token(jwtSecret, 'demo-operator', 'operator');
  const ownerToken = (tid: string) => token(jwtSecret, `${tid}-owner`, 'owner', tid);
  console.log('seeding demo tenants...');
  await seedDemo({
    gatewayUrl: platform.urls.gateway,
    emulatorUrl: platform.urls.emulator,
    operatorToken,
    ownerToken,
    stripe: createStripeClient({ secretKey: LOCAL_STRIPE_KEY, apiBase: platform.urls.emulator }),
    log: (line) => console.log(`  ${line}`),
  }).catch(async (error: unknown) => {
    await platform.stop();
    throw error;
  });

  const g = platform.urls.gateway;
  console.log(`
Tollgate is running.
  Gateway (API)       ${g}/v1/plans
  API docs            ${g}/docs
  Stripe emulator     ${platform.urls.emulator}
  Caught emails       ${platform.urls.smtpHttp}/
  Webhooks            ${platform.urls.webhooks}/webhooks/stripe

Demo tokens (valid 30 days; send as "Authorization: Bearer <token>"):
  operator            ${operatorToken}`);
  for (const tid of ['acme', 'startup', 'oldco']) {
    const owner = await ownerToken(tid);
    // Labels padded to one column, with at least one space before the value however long the tenant id.
    const line = (label: string, value: string) => console.log(`  ${label} `.padEnd(22) + value);
    line(`${tid} owner`, owner);
    line(`${tid} member`, await token(jwtSecret, `${tid}-member`, 'member', tid));
    line(`${tid} billing page`, `${g}/billing?token=${owner}`);
  }
  console.log('\nCtrl-C stops everything.');
}

run().catch((error: unknown) => {
  console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

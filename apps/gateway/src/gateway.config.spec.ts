import { loadConfig } from '@tollgate/config';
import { GatewayConfig } from './gateway.config';

const REQUIRED = { AUTH_JWT_SECRET: 'x'.repeat(32) };
const load = (env: NodeJS.ProcessEnv) => loadConfig('gateway', GatewayConfig, { ...REQUIRED, ...env });

describe('GatewayConfig: Idempotency-Keys', () => {
  it('remembers keys a day, takes over a dead in-flight key after 2 minutes, and prunes hourly', () => {
    expect(load({})).toMatchObject({
      GATEWAY_IDEMPOTENCY_RETENTION_DAYS: 1,
      GATEWAY_IDEMPOTENCY_IN_FLIGHT_LEASE_MS: 120_000,
      GATEWAY_PRUNE_INTERVAL_MS: 3_600_000,
    });
    expect(load({ GATEWAY_IDEMPOTENCY_RETENTION_DAYS: '0' }).GATEWAY_IDEMPOTENCY_RETENTION_DAYS).toBe(0);
  });

  it.each([
    ['GATEWAY_IDEMPOTENCY_RETENTION_DAYS', '0.5'],
    ['GATEWAY_IDEMPOTENCY_RETENTION_DAYS', '-1'],
    // A lease a live request could outlast (NATS_REQUEST_TIMEOUT_MS goes up to 60 s) would run it twice at once.
    ['GATEWAY_IDEMPOTENCY_IN_FLIGHT_LEASE_MS', '60000'],
    ['GATEWAY_PRUNE_INTERVAL_MS', '10'],
  ])('refuses %s=%s at boot, naming the variable', (name, value) => {
    expect(() => load({ [name]: value })).toThrow(new RegExp(name));
  });
});

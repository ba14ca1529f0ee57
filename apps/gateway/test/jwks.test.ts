/**
 * RS256 through a JWKS (issue 9): tokens are verified with the key their `kid` names; a rotated-in key is
 * fetched on first sight; a key removed from the set stops working once the set is refetched; an HS256
 * token is refused when the gateway expects RS256 (no algorithm confusion).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type KeyLike } from 'jose';
import { BillingSubject, TenantScoped } from '@tollgate/contracts';
import { eventually, signToken } from '@tollgate/testing';
import { billingStateOf, startGatewayHarness, type GatewayHarness } from './gateway-harness';

interface Key {
  kid: string;
  privateKey: KeyLike;
  jwk: JWK;
}

async function makeKey(kid: string): Promise<Key> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

function sign(key: Key, tid = 'acme'): Promise<string> {
  return new SignJWT({ role: 'owner', tid })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setSubject('u-1')
    .setExpirationTime('1h')
    .sign(key.privateKey);
}

describe('gateway with RS256 keys from a JWKS', () => {
  let published: JWK[] = [];
  let fetches = 0;
  let jwksServer: Server;
  let gateway: GatewayHarness;
  let first: Key;
  let second: Key;

  beforeAll(async () => {
    first = await makeKey('key-1');
    second = await makeKey('key-2');
    published = [first.jwk];
    jwksServer = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const port = (jwksServer.address() as AddressInfo).port;
    gateway = await startGatewayHarness({
      env: {
        AUTH_JWT_SECRET: '',
        AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
        AUTH_JWKS_COOLDOWN_MS: '0',
      },
      fakes: (bus) =>
        bus.serve(BillingSubject.GetState, TenantScoped, async ({ tenantId }) => billingStateOf(tenantId), {
          queue: 'billing',
        }),
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  const billing = (token: string) => gateway.http.get('/v1/billing').set('Authorization', `Bearer ${token}`);

  it('accepts a token signed by a published key', async () => {
    const res = await billing(await sign(first));
    expect(res.status).toBe(200);
    expect(res.body.tenantId).toBe('acme');
  });

  it('fetches a rotated-in key on first sight of its kid', async () => {
    published = [first.jwk, second.jwk];
    const before = fetches;
    expect((await billing(await sign(second))).status).toBe(200);
    expect(fetches).toBeGreaterThan(before);
  });

  it('refuses a key once it is rotated out of the set', async () => {
    published = [second.jwk];
    const stranger = await makeKey('key-3');
    // An unknown kid makes the gateway refetch the set; from then on key-1 is no longer in it.
    expect((await billing(await sign(stranger))).status).toBe(401);
    await eventually(async () => (await billing(await sign(first))).status === 401, {
      what: 'key-1 refused',
    });
    expect((await billing(await sign(second))).status).toBe(200);
  });

  it('refuses an HS256 token when RS256 is expected', async () => {
    const hs = await signToken({ sub: 'u-1', role: 'owner', tid: 'acme' });
    const res = await billing(hs);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });
});

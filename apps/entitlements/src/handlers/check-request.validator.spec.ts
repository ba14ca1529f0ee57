import { CheckRequest } from '@tollgate/contracts';
import { validateMessage } from '@tollgate/messaging';
import { fastCheckRequest } from './check-request.validator';

const cases: unknown[] = [
  { tenantId: 'acme', feature: 'sso' },
  { tenantId: 'acme', feature: 'api_calls', quantity: 3 },
  { tenantId: 'x'.repeat(64), feature: 'sso' },
  { tenantId: 'x'.repeat(65), feature: 'sso' },
  { tenantId: '', feature: 'sso' },
  { tenantId: 'acme', feature: 'Sso' },
  { tenantId: 'acme', feature: '1sso' },
  { tenantId: 'acme', feature: 'sso', quantity: 0 },
  { tenantId: 'acme', feature: 'sso', quantity: 1.5 },
  { tenantId: 'acme', feature: 'sso', quantity: '2' },
  { tenantId: 'acme', feature: 'sso', quantity: 1_000_000_001 },
  { tenantId: 'acme', feature: 'sso', extra: true },
  { tenantId: 7, feature: 'sso' },
  { feature: 'sso' },
  [],
  null,
  'acme',
];

describe('fastCheckRequest', () => {
  it.each(cases.map((c) => [JSON.stringify(c), c]))(
    'never accepts what the DTO refuses: %s',
    async (_name, value) => {
      const fast = fastCheckRequest(value);
      const slow = await validateMessage(CheckRequest, value).then(
        (v) => ({ ...v }),
        () => undefined,
      );
      if (fast !== undefined) expect(slow).toEqual(fast);
    },
  );

  it('accepts the ordinary shapes itself', () => {
    expect(fastCheckRequest({ tenantId: 'acme', feature: 'sso' })).toEqual({
      tenantId: 'acme',
      feature: 'sso',
    });
    expect(fastCheckRequest({ tenantId: 'acme', feature: 'exports', quantity: 2 })).toEqual({
      tenantId: 'acme',
      feature: 'exports',
      quantity: 2,
    });
  });
});

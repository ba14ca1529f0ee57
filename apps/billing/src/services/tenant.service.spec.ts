import { TENANT_ID_PATTERN } from '@tollgate/contracts';
import { slugify } from './tenant.service';

describe('slugify', () => {
  it.each([
    ['Acme Corp.', 'acme-corp'],
    ['  Startup   Inc ', 'startup-inc'],
    ['Café Zürich', 'cafe-zurich'],
    ['!!!', 'tenant'],
  ])('turns %p into %p', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it('always yields a valid tenant id, even from a very long name', () => {
    const slug = slugify(`${'Very Long Company Name '.repeat(10)}`);
    expect(slug.length).toBeLessThanOrEqual(63);
    expect(slug).toMatch(TENANT_ID_PATTERN);
  });
});

import { SignJWT } from 'jose';
import type { Role } from '@tollgate/contracts';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

/** Signs an HS256 token with the claims of CONTRACT.md. */
export async function signToken(
  claims: { sub: string; role: Role; tid?: string },
  options: { secret?: string; expiresIn?: string | number } = {},
): Promise<string> {
  const { sub, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

import type { Role } from '@tollgate/contracts';

/** Who is calling, as proven by the JWT. Operators carry no tenant. */
export interface Principal {
  userId: string;
  role: Role;
  tenantId: string | null;
}

import type { Actor } from '@tollgate/contracts';
import type { Principal } from './principal';

export function actorOf(principal: Principal): Actor {
  return {
    type: principal.role === 'operator' ? 'operator' : 'user',
    id: principal.userId,
    role: principal.role,
  };
}

import { SetMetadata } from '@nestjs/common';

/** Marks a route or controller as open to unauthenticated callers (health, metrics, webhooks). */
export const PUBLIC_ROUTE = 'tollgate:public';
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

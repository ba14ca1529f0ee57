export * from './errors';
export * from './enums';
export * from './decision';
export * from './streams';
export * from './billing.contract';
export * from './entitlements.contract';
export * from './webhooks.contract';

import type { BillingEvents, BillingRequests } from './billing.contract';
import type { EntitlementsRequests } from './entitlements.contract';
import type { WebhooksRequests } from './webhooks.contract';

/** One map from request subject to request and reply types: drives typed `request` and `serve`. */
export type RequestMap = BillingRequests & EntitlementsRequests & WebhooksRequests;
export type RequestSubject = keyof RequestMap;
/** One map from event subject to payload type: drives typed `publish` and consumers. */
export type EventMap = BillingEvents;
export type EventSubject = keyof EventMap;

/** Version of this contracts package; bump the subject suffix (v1 → v2) for a breaking message change. */
export const CONTRACTS_VERSION = '1.0.0';

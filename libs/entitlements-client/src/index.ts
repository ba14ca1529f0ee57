export * from './usage-window';
export * from './decide';
export * from './entitlements-client';
export * from './lru-map';

export * from './environment';
export * from './database';
export * from './nats';
export * from './eventually';
export * from './tokens';
export * from './ports';
export * from './metrics';

export * from './nats-bus';
export * from './jetstream-consumer';
export * from './validation';

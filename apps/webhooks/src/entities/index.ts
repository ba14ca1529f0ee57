export * from './stripe-event.entity';
export * from './dead-letter.entity';

export * from './tokens';
export * from './error.filter';
export * from './health.controller';
export * from './platform.module';
export * from './run-service';
export * from './public.decorator';
export * from './route-ahead';

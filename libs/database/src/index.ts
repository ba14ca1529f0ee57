export * from './data-source';
export * from './prune';

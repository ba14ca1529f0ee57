import type { MigrationInterface } from 'typeorm';
import { EntitlementsInitial1767400000100 } from './1767400000100-EntitlementsInitial';

/** Committed migrations of the `entitlements` schema, in order. Never edit one that has landed; add another. */
export const entitlementsMigrations: (new () => MigrationInterface)[] = [EntitlementsInitial1767400000100];

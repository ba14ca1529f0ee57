import type { MigrationInterface } from 'typeorm';
import { WebhooksInitial1767300000000 } from './1767300000000-WebhooksInitial';

/** Committed migrations of the `webhooks` schema, in order. Never edit one that has landed; add another. */
export const webhooksMigrations: (new () => MigrationInterface)[] = [WebhooksInitial1767300000000];

import type { MigrationInterface } from 'typeorm';
import { WebhooksInitial1767300000000 } from './1767300000000-WebhooksInitial';
import { InboxPayloadLz41767300100000 } from './1767300100000-InboxPayloadLz4';
import { InboxPayloadOutOfLine1767300200000 } from './1767300200000-InboxPayloadOutOfLine';

/** Committed migrations of the `webhooks` schema, in order. Never edit one that has landed; add another. */
export const webhooksMigrations: (new () => MigrationInterface)[] = [
  WebhooksInitial1767300000000,
  InboxPayloadLz41767300100000,
  InboxPayloadOutOfLine1767300200000,
];

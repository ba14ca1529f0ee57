import { IsInt, IsOptional, IsUrl, Matches, Max, Min } from 'class-validator';
import { PlatformConfig } from '@tollgate/config';

/** `Name <address>` or a bare address. */
const MAILBOX = /^(?:[^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/;

export class NotificationsConfig extends PlatformConfig {
  @IsInt() @Min(0) @Max(65_535) NOTIFICATIONS_PORT = 3004;

  /** `smtp://[user:pass@]host:port` (STARTTLS when offered) or `smtps://` (implicit TLS). Never logged. */
  @Matches(/^smtps?:\/\/[^/]+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL = 'smtp://127.0.0.1:1025';

  @Matches(MAILBOX, { message: 'MAIL_FROM must be an address or "Name <address>"' })
  MAIL_FROM = 'Billing <billing@tollgate.local>';

  /** Base of links in emails; the billing page is `${PUBLIC_BASE_URL}/billing`. */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  PUBLIC_BASE_URL = 'http://127.0.0.1:3000';

  /** Connect, greeting and idle timeout of one SMTP attempt. */
  @IsInt() @Min(100) @Max(120_000) SMTP_TIMEOUT_MS = 10_000;

  /** Deliveries of one notification before it is dead-lettered and its row marked failed. */
  @IsInt() @Min(1) @Max(1000) NOTIFICATIONS_MAX_DELIVER = 10;

  /** Delay before each redelivery after a failure, in ms; the last value repeats (about 80 minutes in all). */
  @Matches(/^\d+(,\d+)*$/, { message: 'NOTIFICATIONS_RETRY_BACKOFF_MS must be comma-separated milliseconds' })
  NOTIFICATIONS_RETRY_BACKOFF_MS = '5000,30000,120000,300000,600000';

  @IsInt() @Min(1) @Max(64) NOTIFICATIONS_CONCURRENCY = 4;

  @IsOptional()
  @Matches(MAILBOX, { message: 'MAIL_REPLY_TO must be an address or "Name <address>"' })
  MAIL_REPLY_TO?: string;
}

export function retryBackoffMs(config: NotificationsConfig): number[] {
  return config.NOTIFICATIONS_RETRY_BACKOFF_MS.split(',').map(Number);
}

/** The address part of MAIL_FROM, whose domain names our Message-IDs. */
export function senderDomain(mailFrom: string): string {
  const address = /<([^<>]+)>/.exec(mailFrom)?.[1] ?? mailFrom;
  return address.slice(address.lastIndexOf('@') + 1).trim();
}

import { Controller, Get, Inject } from '@nestjs/common';
import { DomainError, ErrorCode } from '@tollgate/contracts';
import { CONFIG } from '@tollgate/service-runtime';
import { smtpEndpoint, type Mailer } from '../adapters/smtp.mailer';
import type { NotificationsConfig } from '../notifications.config';
import { MAILER } from '../notifications.tokens';

/**
 * `GET /health/smtp`: whether the mail server accepts a connection now. Deliberately not part of
 * `/health/ready`: while SMTP is down, notifications wait in JetStream and are retried, so the service is
 * still doing its job; failing readiness would only stall deploys. Alert on this endpoint or on
 * `tollgate_notification_deliveries_total{outcome="failed"}` instead.
 */
@Controller()
export class SmtpHealthController {
  constructor(
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(CONFIG) private readonly config: NotificationsConfig,
  ) {}

  @Get('health/smtp')
  async smtp(): Promise<{ status: 'up'; endpoint: string }> {
    const endpoint = smtpEndpoint(this.config.SMTP_URL);
    try {
      await this.mailer.verify();
    } catch (error) {
      throw new DomainError(ErrorCode.UpstreamUnavailable, 'the SMTP server does not accept connections', {
        endpoint,
        reason: (error as Error).message,
      });
    }
    return { status: 'up', endpoint };
  }
}

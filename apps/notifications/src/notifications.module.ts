import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { loadCatalog } from '@tollgate/catalog';
import { Metrics } from '@tollgate/observability';
import { SmtpMailer, type Mailer } from './adapters/smtp.mailer';
import { SmtpHealthController } from './controllers/smtp-health.controller';
import { NotificationRequestedHandler } from './handlers/notification-requested.handler';
import { senderDomain, type NotificationsConfig } from './notifications.config';
import { MAILER } from './notifications.tokens';
import { DeliveryRepository } from './repositories/delivery.repository';
import { DeliveryService } from './services/delivery.service';

@Injectable()
class MailerLifecycle implements OnApplicationShutdown {
  constructor(@Inject(MAILER) private readonly mailer: Mailer) {}
  onApplicationShutdown(): void {
    this.mailer.close();
  }
}

@Module({})
export class NotificationsModule {
  static forRoot(platform: DynamicModule, config: NotificationsConfig): DynamicModule {
    const catalog = loadCatalog(config.CATALOG_PATH);
    const planNames = Object.fromEntries(Object.values(catalog.plans).map((plan) => [plan.id, plan.name]));
    return {
      module: NotificationsModule,
      imports: [platform],
      controllers: [SmtpHealthController],
      providers: [
        DeliveryRepository,
        {
          provide: MAILER,
          useFactory: (): Mailer =>
            new SmtpMailer({ url: config.SMTP_URL, timeoutMs: config.SMTP_TIMEOUT_MS }),
        },
        {
          provide: DeliveryService,
          inject: [DeliveryRepository, MAILER, Metrics],
          useFactory: (store: DeliveryRepository, mailer: Mailer, metrics: Metrics) =>
            new DeliveryService(
              store,
              mailer,
              {
                from: config.MAIL_FROM,
                replyTo: config.MAIL_REPLY_TO,
                messageIdDomain: senderDomain(config.MAIL_FROM),
                billingUrl: `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/billing`,
                planNames,
              },
              metrics,
            ),
        },
        NotificationRequestedHandler,
        MailerLifecycle,
      ],
    };
  }
}

import { ConfigError, loadConfig } from '@tollgate/config';
import { NotificationsConfig, retryBackoffMs, senderDomain } from './notifications.config';

describe('NotificationsConfig', () => {
  it('has working defaults for a local run', () => {
    const config = loadConfig('notifications', NotificationsConfig, {});
    expect(config).toMatchObject({
      NOTIFICATIONS_PORT: 3004,
      SMTP_URL: 'smtp://127.0.0.1:1025',
      MAIL_FROM: 'Billing <billing@tollgate.local>',
    });
    expect(retryBackoffMs(config)).toEqual([5000, 30_000, 120_000, 300_000, 600_000]);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig('notifications', NotificationsConfig, {
        SMTP_URL: 'http://mail.example.test',
        MAIL_FROM: 'Billing',
        PUBLIC_BASE_URL: 'not a url',
        NOTIFICATIONS_RETRY_BACKOFF_MS: '1s,2s',
      });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['SMTP_URL', 'MAIL_FROM', 'PUBLIC_BASE_URL', 'NOTIFICATIONS_RETRY_BACKOFF_MS'])
      expect(message).toContain(name);
  });

  it('takes the Message-ID domain from the sender address', () => {
    expect(senderDomain('Acme Billing <billing@acme-saas.test>')).toBe('acme-saas.test');
    expect(senderDomain('billing@example.test')).toBe('example.test');
  });
});

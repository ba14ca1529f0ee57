/** `node dist/apps/smtp-catcher/src/main.js`: the SMTP catcher as a process, stopped cleanly on SIGTERM/SIGINT. */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '@tollgate/config';
import { createLogger } from '@tollgate/observability';
import { SmtpCatcherConfig } from './smtp-catcher.config';
import { startSmtpCatcher } from './smtp-catcher';

async function run(): Promise<void> {
  const logger = createLogger('smtp-catcher');
  const config = loadConfig('smtp-catcher', SmtpCatcherConfig);
  const catcher = await startSmtpCatcher({
    smtpPort: config.SMTP_CATCHER_PORT,
    httpPort: config.SMTP_CATCHER_HTTP_PORT,
    host: config.SMTP_CATCHER_HOST,
    capacity: config.SMTP_CATCHER_CAPACITY,
  });
  logger.info(
    { smtpPort: catcher.smtpPort, httpPort: catcher.httpPort, url: catcher.url },
    'smtp catcher listening',
  );
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'stopping');
    // Exit even if a client holds a connection open past the catcher's close timeout.
    setTimeout(() => process.exit(0), 5000).unref();
    void catcher.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

run().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError ? `${error.message}\n` : `smtp-catcher failed to start: ${String(error)}\n`,
  );
  process.exit(1);
});

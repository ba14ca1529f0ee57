/**
 * A local and test stand-in for a mail server: accepts any SMTP message (no auth required, any credentials
 * accepted, no TLS) and shows what it caught over HTTP, as the contract describes:
 * `GET /api/messages` (newest first), `GET /api/messages/{id}`, `DELETE /api/messages`, and a page at `/`.
 * It is never part of a production deploy.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import PostalMime from 'postal-mime';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { renderCatcherPage } from './catcher-page';
import { MessageStore, type CaughtMessage } from './message-store';

export type { CaughtMessage } from './message-store';

export interface SmtpCatcherOptions {
  /** SMTP port; 0 picks a free one (default 1025). */
  smtpPort?: number;
  /** HTTP port; 0 picks a free one (default 8025). */
  httpPort?: number;
  /** Interface to bind both listeners to (default 127.0.0.1). */
  host?: string;
  /** Messages kept, oldest dropped first (default 1000). */
  capacity?: number;
  /** Largest message accepted, in bytes (default 10 MiB). */
  maxMessageBytes?: number;
}

export interface SmtpCatcher {
  smtpPort: number;
  httpPort: number;
  /** Base URL of the HTTP side, e.g. `http://127.0.0.1:8025`. */
  url: string;
  /** Caught messages, newest first. */
  messages(): CaughtMessage[];
  clear(): void;
  /** Stops both listeners; resolves once they are closed. */
  stop(): Promise<void>;
}

function formatMailbox(address: { name?: string; address?: string } | undefined): string | null {
  if (!address?.address) return null;
  return address.name ? `${address.name} <${address.address}>` : address.address;
}

export async function parseCaught(
  raw: Buffer,
  session: Pick<SMTPServerSession, 'envelope'>,
): Promise<CaughtMessage> {
  const email = await PostalMime.parse(raw);
  const headers: Record<string, string> = {};
  for (const header of email.headers) if (!(header.key in headers)) headers[header.key] = header.value;
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
  const envelopeTo = session.envelope.rcptTo.map((r) => r.address);
  return {
    id: randomUUID(),
    from: formatMailbox(email.from) ?? envelopeFrom ?? '',
    to: envelopeTo,
    subject: email.subject ?? '',
    text: email.text ?? '',
    html: email.html ?? '',
    date: new Date().toISOString(),
    messageId: email.messageId ?? null,
    headers,
    envelope: { from: envelopeFrom, to: envelopeTo },
  };
}

function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Binds a listener, rejecting on EADDRINUSE and the like instead of emitting an unhandled error. */
function listen(
  emitter: Pick<NodeJS.EventEmitter, 'once' | 'off'>,
  bind: (port: number, host: string, onListening: () => void) => unknown,
  port: number,
  host: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    emitter.once('error', reject);
    bind(port, host, () => {
      emitter.off('error', reject);
      resolve();
    });
  });
}

export async function startSmtpCatcher(options: SmtpCatcherOptions = {}): Promise<SmtpCatcher> {
  const host = options.host ?? '127.0.0.1';
  const maxBytes = options.maxMessageBytes ?? 10 * 1024 * 1024;
  const store = new MessageStore(options.capacity ?? 1000);

  const smtp = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    size: maxBytes,
    logger: false,
    closeTimeout: 2000,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'anonymous' }),
    onData: (stream, session, callback) => {
      readAll(stream)
        .then(async (raw) => {
          if (stream.sizeExceeded) {
            const error = Object.assign(new Error('message exceeds the size limit'), { responseCode: 552 });
            return callback(error);
          }
          store.add(await parseCaught(raw, session));
          callback();
        })
        .catch((error: Error) => callback(Object.assign(error, { responseCode: 451 })));
    },
  });
  // A client that drops its connection mid-session is not the catcher's failure.
  smtp.on('error', () => undefined);

  const app = express();
  app.disable('x-powered-by');
  app.get('/api/messages', (req, res) => {
    const to = typeof req.query.to === 'string' ? req.query.to : undefined;
    res.json(store.list({ to }));
  });
  app.get('/api/messages/:id', (req, res) => {
    const message = store.get(req.params.id);
    if (message) res.json(message);
    else res.status(404).json({ error: { code: 'not_found', message: 'no such message' } });
  });
  app.delete('/api/messages', (_req, res) => {
    store.clear();
    res.status(204).end();
  });
  app.get('/', (_req, res) => {
    res.type('html').send(renderCatcherPage(store.list()));
  });
  const http = createServer(app);

  await listen(smtp, (p, h, cb) => smtp.listen(p, h, cb), options.smtpPort ?? 1025, host);
  try {
    await listen(http, (p, h, cb) => http.listen(p, h, cb), options.httpPort ?? 8025, host);
  } catch (error) {
    await new Promise<void>((resolve) => smtp.close(resolve));
    throw error;
  }
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const httpPort = (http.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  return {
    smtpPort,
    httpPort,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${httpPort}`,
    messages: () => store.list(),
    clear: () => store.clear(),
    stop: () =>
      (stopping ??= Promise.all([
        new Promise<void>((resolve) => smtp.close(resolve)),
        new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        }),
      ]).then(() => undefined)),
  };
}

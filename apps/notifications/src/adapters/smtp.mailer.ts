/**
 * The SMTP boundary: nodemailer over one connection per message (low volume, and a restarted mail server
 * is picked up on the next attempt without a stale pool). SMTP_URL may carry credentials; they are used
 * here and never logged: only host and port leave this file.
 */
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

export interface OutgoingMail {
  from: string;
  replyTo?: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** `<...>` form; the same on every attempt of one delivery, so receivers can drop a resend. */
  messageId: string;
  headers: Record<string, string>;
}

/** What the delivery service needs of a mail server; tests substitute an in-memory one. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  verify(): Promise<void>;
  close(): void;
}

export class SmtpError extends Error {
  constructor(
    message: string,
    readonly responseCode: number | undefined,
  ) {
    super(message);
    this.name = 'SmtpError';
  }
}

export interface SmtpMailerOptions {
  url: string;
  timeoutMs: number;
}

export function smtpTransportOptions(options: SmtpMailerOptions): SMTPTransport.Options {
  const url = new URL(options.url);
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** Where mail goes, without credentials: for logs and health details. */
export function smtpEndpoint(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

function asSmtpError(error: unknown): SmtpError {
  const e = error as { message?: string; responseCode?: number; code?: string };
  return new SmtpError(`${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}`, e.responseCode);
}

export class SmtpMailer implements Mailer {
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo, SMTPTransport.Options>;

  constructor(options: SmtpMailerOptions) {
    this.transport = createTransport(smtpTransportOptions(options));
  }

  async send(mail: OutgoingMail): Promise<void> {
    let info: SMTPTransport.SentMessageInfo;
    try {
      info = await this.transport.sendMail({ ...mail });
    } catch (error) {
      throw asSmtpError(error);
    }
    if (info.rejected.length > 0) throw new SmtpError(`recipient refused: ${info.response}`, undefined);
  }

  async verify(): Promise<void> {
    try {
      await this.transport.verify();
    } catch (error) {
      throw asSmtpError(error);
    }
  }

  close(): void {
    this.transport.close();
  }
}

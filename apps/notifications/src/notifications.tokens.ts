/** The Mailer (adapters/smtp.mailer.ts) in the Nest container. */
export const MAILER = Symbol('MAILER');

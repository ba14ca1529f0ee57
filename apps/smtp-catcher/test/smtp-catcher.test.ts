import { createTransport, type Transporter } from 'nodemailer';
import { startSmtpCatcher, type CaughtMessage, type SmtpCatcher } from '../src/smtp-catcher';

describe('SMTP catcher', () => {
  let catcher: SmtpCatcher;
  let transport: Transporter;

  beforeAll(async () => {
    catcher = await startSmtpCatcher({ smtpPort: 0, httpPort: 0 });
    transport = createTransport({
      host: '127.0.0.1',
      port: catcher.smtpPort,
      secure: false,
      ignoreTLS: true,
    });
  });
  afterAll(async () => {
    transport.close();
    await catcher.stop();
  });
  beforeEach(() => catcher.clear());

  const api = async (path: string, init?: RequestInit) => fetch(`${catcher.url}${path}`, init);

  it('catches a nodemailer message and serves it as JSON with the contract fields', async () => {
    await transport.sendMail({
      from: 'Billing <billing@tollgate.local>',
      to: 'owner@acme.test',
      subject: 'Receipt for 29,00 €',
      text: 'Thanks — 29,00 €',
      html: '<p>Thanks — <b>29,00 €</b></p>',
      messageId: '<delivery-1@tollgate.local>',
    });
    const response = await api('/api/messages');
    expect(response.status).toBe(200);
    const messages = (await response.json()) as CaughtMessage[];
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      id: expect.any(String),
      from: 'Billing <billing@tollgate.local>',
      to: ['owner@acme.test'],
      subject: 'Receipt for 29,00 €',
      text: expect.stringContaining('Thanks — 29,00 €'),
      html: expect.stringContaining('<p>Thanks — <b>29,00 €</b></p>'),
      messageId: '<delivery-1@tollgate.local>',
    });
    expect(new Date(messages[0].date).toISOString()).toBe(messages[0].date);
  });

  it('lists newest first, serves one by id, filters by recipient and empties on DELETE', async () => {
    for (const n of [1, 2, 3])
      await transport.sendMail({ from: 'a@x.test', to: `r${n}@acme.test`, subject: `m${n}`, text: `${n}` });
    const all = (await (await api('/api/messages')).json()) as CaughtMessage[];
    expect(all.map((m) => m.subject)).toEqual(['m3', 'm2', 'm1']);
    const one = (await (await api(`/api/messages/${all[1].id}`)).json()) as CaughtMessage;
    expect(one.subject).toBe('m2');
    expect((await api('/api/messages/nope')).status).toBe(404);
    const filtered = (await (await api('/api/messages?to=R1@acme.test')).json()) as CaughtMessage[];
    expect(filtered.map((m) => m.subject)).toEqual(['m1']);

    expect((await api('/api/messages', { method: 'DELETE' })).status).toBe(204);
    expect(await (await api('/api/messages')).json()).toEqual([]);
    expect(catcher.messages()).toEqual([]);
  });

  it('records envelope recipients, including Bcc that no header shows', async () => {
    await transport.sendMail({
      from: 'a@x.test',
      to: 'to@acme.test',
      bcc: 'hidden@acme.test',
      subject: 's',
      text: 't',
    });
    const [message] = catcher.messages();
    expect(message.to).toEqual(['to@acme.test', 'hidden@acme.test']);
    expect(message.headers.to).toBe('to@acme.test');
    expect(message.headers.bcc).toBeUndefined();
  });

  it('accepts any credentials', async () => {
    const authed = createTransport({
      host: '127.0.0.1',
      port: catcher.smtpPort,
      ignoreTLS: true,
      auth: { user: 'anyone', pass: 'anything' },
    });
    try {
      await authed.sendMail({ from: 'a@x.test', to: 'b@acme.test', subject: 'auth', text: 't' });
    } finally {
      authed.close();
    }
    expect(catcher.messages().map((m) => m.subject)).toEqual(['auth']);
  });

  it('serves an escaped HTML page listing the messages', async () => {
    await transport.sendMail({
      from: 'a@x.test',
      to: 'b@acme.test',
      subject: '<script>x</script>',
      text: 't',
    });
    const response = await api('/');
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const page = await response.text();
    expect(page).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page).not.toContain('<script>x</script>');
  });

  it('refuses a message over the size limit and keeps nothing of it', async () => {
    const small = await startSmtpCatcher({ smtpPort: 0, httpPort: 0, maxMessageBytes: 1024 });
    const client = createTransport({ host: '127.0.0.1', port: small.smtpPort, ignoreTLS: true });
    try {
      await expect(
        client.sendMail({ from: 'a@x.test', to: 'b@acme.test', subject: 'big', text: 'x'.repeat(5000) }),
      ).rejects.toMatchObject({ responseCode: 552 });
      expect(small.messages()).toEqual([]);
    } finally {
      client.close();
      await small.stop();
    }
  });

  it('frees its ports on stop so a restart can bind them again', async () => {
    const first = await startSmtpCatcher({ smtpPort: 0, httpPort: 0 });
    const { smtpPort, httpPort } = first;
    await first.stop();
    const second = await startSmtpCatcher({ smtpPort, httpPort });
    try {
      expect([second.smtpPort, second.httpPort]).toEqual([smtpPort, httpPort]);
    } finally {
      await second.stop();
    }
  });

  it('fails to start on a port already in use', async () => {
    await expect(startSmtpCatcher({ smtpPort: catcher.smtpPort, httpPort: 0 })).rejects.toThrow(/EADDRINUSE/);
  });
});

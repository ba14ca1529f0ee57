import { smtpEndpoint, smtpTransportOptions } from './smtp.mailer';

describe('smtpTransportOptions', () => {
  it('reads host, port and credentials from SMTP_URL', () => {
    expect(
      smtpTransportOptions({ url: 'smtp://user%40x:p%3Ass@mail.example.test:2525', timeoutMs: 5000 }),
    ).toMatchObject({
      host: 'mail.example.test',
      port: 2525,
      secure: false,
      auth: { user: 'user@x', pass: 'p:ss' },
      connectionTimeout: 5000,
    });
  });

  it('uses implicit TLS on smtps:// and the standard ports when none is given', () => {
    expect(smtpTransportOptions({ url: 'smtps://mail.example.test', timeoutMs: 1 })).toMatchObject({
      port: 465,
      secure: true,
    });
    expect(smtpTransportOptions({ url: 'smtp://mail.example.test', timeoutMs: 1 })).toMatchObject({
      port: 587,
      secure: false,
    });
    expect(smtpTransportOptions({ url: 'smtp://127.0.0.1:1025', timeoutMs: 1 })).not.toHaveProperty('auth');
  });
});

describe('smtpEndpoint', () => {
  it('never includes the credentials', () => {
    expect(smtpEndpoint('smtp://user:secret@mail.example.test:2525')).toBe('smtp://mail.example.test:2525');
  });
});

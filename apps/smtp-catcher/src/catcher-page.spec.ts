import { escapeHtml } from '@tollgate/html';
import { renderCatcherPage } from './catcher-page';
import type { CaughtMessage } from './message-store';

describe('renderCatcherPage', () => {
  const hostile: CaughtMessage = {
    id: 'x"><script>',
    from: '"Eve" <eve@evil.test>',
    to: ['<b>victim</b>@acme.test'],
    subject: '<script>alert(1)</script>',
    text: 'a & b < c',
    html: '<img src=x onerror=alert(1)>',
    date: '2026-01-01T00:00:00.000Z',
    messageId: null,
    headers: {},
    envelope: { from: null, to: [] },
  };

  it('escapes every caught value and never embeds the HTML body', () => {
    const page = renderCatcherPage([hostile]);
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('onerror');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('a &amp; b &lt; c');
    expect(page).toContain('&quot;Eve&quot;');
    expect(page).toContain('href="/api/messages/x%22%3E%3Cscript%3E"');
  });

  it('says when there is nothing yet', () => {
    expect(renderCatcherPage([])).toContain('No messages yet.');
  });

  it('escapes quotes for attributes', () => {
    expect(escapeHtml(`'"&<>`)).toBe('&#39;&quot;&amp;&lt;&gt;');
  });
});

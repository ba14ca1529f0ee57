import type { CaughtMessage } from './message-store';
import { escapeHtml } from '@tollgate/html';

/**
 * The page at `/`: caught messages newest first, with the text body inline. The HTML body is never rendered
 * into the page (it is untrusted); its source is one click away at `/api/messages/{id}`.
 */
export function renderCatcherPage(messages: CaughtMessage[]): string {
  const rows = messages
    .map(
      (m) => `<article>
<h2>${escapeHtml(m.subject || '(no subject)')}</h2>
<p class="meta">${escapeHtml(m.date)} · from ${escapeHtml(m.from)} · to ${escapeHtml(m.to.join(', '))} · <a href="/api/messages/${encodeURIComponent(m.id)}">json</a></p>
<pre>${escapeHtml(m.text)}</pre>
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>SMTP catcher (${messages.length})</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:60rem}article{border-bottom:1px solid #ddd;padding:.5rem 0}
.meta{color:#555}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}</style></head>
<body><h1>SMTP catcher: ${messages.length} message${messages.length === 1 ? '' : 's'}</h1>
${rows || '<p>No messages yet.</p>'}
</body></html>`;
}

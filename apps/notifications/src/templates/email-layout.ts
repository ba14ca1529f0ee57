/**
 * Turns a template's structured content into the text and HTML bodies. Templates produce plain strings;
 * this is the one place they become HTML, and every string is escaped here, so no template can forget to.
 */
import { escapeHtml } from '@tollgate/html';

export interface EmailLink {
  label: string;
  url: string;
}

export interface EmailContent {
  subject: string;
  heading: string;
  paragraphs: string[];
  details?: { label: string; value: string }[];
  /** The one thing the reader should do (pay, add a card, open the billing page). */
  action?: EmailLink;
  links?: EmailLink[];
}

export interface EmailFooter {
  tenantName?: string;
  billingUrl: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Header values never carry line breaks (header injection), whatever the data said. */
function singleLine(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ').trim();
}

function footerText(footer: EmailFooter): string {
  const who = footer.tenantName ? ` for ${footer.tenantName}` : '';
  return `You receive this email because you are the billing contact${who}. It is a service message about your account, sent whatever your marketing preferences.`;
}

export function renderEmail(content: EmailContent, footer: EmailFooter): RenderedEmail {
  const details = content.details ?? [];
  const links = [...(content.action ? [content.action] : []), ...(content.links ?? [])];
  const text = [
    content.heading,
    ...content.paragraphs,
    ...(details.length > 0 ? [details.map((d) => `${d.label}: ${d.value}`).join('\n')] : []),
    ...(links.length > 0 ? [links.map((l) => `${l.label}: ${l.url}`).join('\n')] : []),
    `--\n${footerText(footer)}\nBilling: ${footer.billingUrl}`,
  ].join('\n\n');

  const p = (s: string) => `<p style="margin:0 0 16px">${escapeHtml(s)}</p>`;
  const a = (l: EmailLink) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a>`;
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(singleLine(content.subject))}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a;margin:0;padding:24px">
<div style="max-width:560px;margin:0 auto">
<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(content.heading)}</h1>
${content.paragraphs.map(p).join('\n')}
${
  details.length > 0
    ? `<table style="border-collapse:collapse;margin:0 0 16px">${details
        .map(
          (d) =>
            `<tr><td style="padding:4px 16px 4px 0;color:#555">${escapeHtml(d.label)}</td><td style="padding:4px 0"><strong>${escapeHtml(d.value)}</strong></td></tr>`,
        )
        .join('')}</table>`
    : ''
}
${
  content.action
    ? `<p style="margin:0 0 16px"><a href="${escapeHtml(content.action.url)}" style="display:inline-block;background:#1a56db;color:#fff;padding:10px 18px;border-radius:4px;text-decoration:none">${escapeHtml(content.action.label)}</a></p>`
    : ''
}
${(content.links ?? []).map((l) => `<p style="margin:0 0 8px">${a(l)}</p>`).join('\n')}
<hr style="border:none;border-top:1px solid #ddd;margin:24px 0 12px">
<p style="font-size:12px;color:#666;margin:0">${escapeHtml(footerText(footer))} ${a({ label: 'Billing', url: footer.billingUrl })}</p>
</div></body></html>`;
  return { subject: singleLine(content.subject), text, html };
}

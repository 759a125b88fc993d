import { buildAnswerMailto, templateLocale } from '@rc/mail';
import { singleLine } from './single-line';
import { REQUEST_EMAIL_STRINGS, type RequestEmailStrings } from './strings';

export interface RequestEmailInput {
  title: string;
  description?: string;
  taskId: string;
  release?: { id: string; title?: string };
  assignee: { email: string; name?: string };
  /** Where answers go: the `mailto:` target of both buttons. */
  mailboxAddress: string;
  tokens: { complete: string; fail: string };
  /** ISO time. */
  expiresAt: string;
  /** BCP 47; `en` by default; `de`, `fr`, `es`, `nl`, `pt` (also `pt-BR`) and `ja` are written. */
  locale?: string;
  /** a reminder's or an escalation's own first sentence and subject prefix (timers/) */
  variant?: { subjectPrefix: string; lead: string };
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

// Contrast (WCAG): white on each button colour ≥ 5:1; text on both card colours ≥ 7:1.
const COLORS = {
  page: '#f3f4f6',
  card: '#ffffff',
  text: '#1f2328',
  muted: '#57606a',
  rule: '#d0d7de',
  complete: '#1a7f37',
  fail: '#b42318',
  buttonText: '#ffffff',
  darkPage: '#0d1117',
  darkCard: '#161b22',
  darkText: '#e6edf3',
  darkMuted: '#9da7b3',
  darkRule: '#30363d',
} as const;

// The Japanese faces come last, so Latin text keeps its look and Japanese text gets a modern
// UI face (Hiragino on Apple, Yu Gothic UI or Meiryo on Windows) over a client's legacy default.
const FONT =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, 'Hiragino Sans', 'Yu Gothic UI', Meiryo, sans-serif";

export function renderRequestEmail(input: RequestEmailInput): RenderedEmail {
  const locale = templateLocale(input.locale);
  const strings = REQUEST_EMAIL_STRINGS[locale];
  const title = singleLine(input.title);
  const releaseTitle = input.release?.title ? singleLine(input.release.title) : undefined;
  const links = {
    complete: buildAnswerMailto(input.mailboxAddress, {
      action: 'complete',
      token: input.tokens.complete,
      title: input.title,
      locale,
    }),
    fail: buildAnswerMailto(input.mailboxAddress, {
      action: 'fail',
      token: input.tokens.fail,
      title: input.title,
      locale,
    }),
  };
  const content: EmailContent = {
    strings,
    locale,
    title,
    name: singleLine(input.assignee.name ?? '') || input.assignee.email,
    release: input.release
      ? releaseTitle
        ? `${releaseTitle} (${input.release.id})`
        : input.release.id
      : undefined,
    description: input.description?.trim()
      ? input.description.replace(/\r\n?/g, '\n').trim()
      : undefined,
    taskId: input.taskId,
    expires: formatExpiry(input.expiresAt),
    links,
    lead: input.variant?.lead,
  };
  return {
    subject: `${input.variant?.subjectPrefix ?? strings.subjectPrefix}: ${title}${releaseTitle ? ` — ${releaseTitle}` : ''}`,
    html: renderHtml(content),
    text: renderText(content),
  };
}

interface EmailContent {
  strings: RequestEmailStrings;
  locale: string;
  title: string;
  name: string;
  release: string | undefined;
  description: string | undefined;
  taskId: string;
  expires: string;
  links: { complete: string; fail: string };
  lead: string | undefined;
}

function detailRows(content: EmailContent): Array<[label: string, value: string]> {
  const { strings } = content;
  const rows: Array<[string, string]> = [[strings.task, content.title]];
  if (content.release) rows.push([strings.release, content.release]);
  rows.push([strings.taskId, content.taskId], [strings.expires, content.expires]);
  return rows;
}

function renderText(content: EmailContent): string {
  const { strings } = content;
  const lines = [
    strings.greeting(content.name),
    '',
    ...(content.lead ? [content.lead, ''] : []),
    strings.intro,
    '',
    ...detailRows(content).map(([label, value]) => `${label}: ${value}`),
  ];
  if (content.description) lines.push('', `${strings.description}:`, content.description);
  lines.push(
    '',
    strings.explainButton(strings.completeButton, strings.completeExplained),
    strings.explainButton(strings.failButton, strings.failExplained),
    strings.howButtonsWork,
    '',
    `${strings.completeButton}: ${content.links.complete}`,
    '',
    `${strings.failButton}: ${content.links.fail}`,
    '',
    strings.clickIsNotEnough,
    strings.plainReply,
    '',
    '-- ',
    strings.footer,
    '',
  );
  return lines.join('\n');
}

function renderHtml(content: EmailContent): string {
  const { strings } = content;
  const p = (text: string, style = '') =>
    `<p class="rc-text" style="margin:0 0 16px 0;${style}">${text}</p>`;
  const details = detailRows(content)
    .map(
      ([label, value]) =>
        `<tr><td class="rc-muted" valign="top" style="padding:4px 16px 4px 0;color:${COLORS.muted};white-space:nowrap;">${escapeHtml(label)}</td>` +
        `<td class="rc-text" valign="top" style="padding:4px 0;color:${COLORS.text};font-weight:bold;word-break:break-word;">${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const description = content.description
    ? `<p class="rc-muted" style="margin:0 0 4px 0;color:${COLORS.muted};">${escapeHtml(strings.description)}</p>` +
      p(escapeHtml(content.description).replace(/\n/g, '<br>'), 'word-break:break-word;')
    : '';
  const buttonRow = (label: string, href: string, color: string, explained: string) =>
    `<tr><td class="rc-stack" valign="middle" style="padding:0 16px 12px 0;">${button(label, href, color)}</td>` +
    `<td class="rc-text rc-stack" valign="middle" style="padding:0 0 12px 0;color:${COLORS.text};">${escapeHtml(explained)}</td></tr>`;

  return `<!DOCTYPE html>
<html lang="${content.locale}" dir="ltr" xmlns:o="urn:schemas-microsoft-com:office:office">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="format-detection" content="telephone=no, date=no, address=no, email=no, url=no">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${escapeHtml(content.title)}</title>
<!--[if mso]><noscript><xml><o:OfficeDocumentSettings><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml></noscript><![endif]-->
<style>
:root { color-scheme: light dark; supported-color-schemes: light dark; }
body { margin: 0; padding: 0; -webkit-text-size-adjust: 100%; -ms-text-size-adjust: 100%; }
/* Apple Mail, iOS Mail, Thunderbird and Outlook for Mac honour this. */
@media (prefers-color-scheme: dark) {
  .rc-page { background-color: ${COLORS.darkPage} !important; }
  .rc-card { background-color: ${COLORS.darkCard} !important; border-color: ${COLORS.darkRule} !important; }
  .rc-text { color: ${COLORS.darkText} !important; }
  .rc-muted { color: ${COLORS.darkMuted} !important; }
}
/* Outlook.com and Outlook apps mark their own dark mode with [data-ogsc] (text) and [data-ogsb] (backgrounds). */
[data-ogsc] .rc-text { color: ${COLORS.darkText} !important; }
[data-ogsc] .rc-muted { color: ${COLORS.darkMuted} !important; }
[data-ogsb] .rc-page { background-color: ${COLORS.darkPage} !important; }
[data-ogsb] .rc-card { background-color: ${COLORS.darkCard} !important; }
/* Phones: each button above its explanation, so neither is squeezed. */
@media screen and (max-width: 480px) {
  .rc-stack { display: block !important; width: 100% !important; padding-right: 0 !important; }
}
</style>
</head>
<body class="rc-page" style="margin:0;padding:0;background-color:${COLORS.page};">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${escapeHtml(`${strings.intro} ${content.title}`)}</div>
<table role="presentation" class="rc-page" width="100%" border="0" cellspacing="0" cellpadding="0" bgcolor="${COLORS.page}" style="background-color:${COLORS.page};">
<tr><td align="center" style="padding:24px 12px;">
<!--[if mso]><table role="presentation" width="600" border="0" cellspacing="0" cellpadding="0"><tr><td><![endif]-->
<table role="presentation" class="rc-card" width="100%" border="0" cellspacing="0" cellpadding="0" bgcolor="${COLORS.card}" style="width:100%;max-width:600px;background-color:${COLORS.card};border:1px solid ${COLORS.rule};border-radius:8px;">
<tr><td class="rc-text" style="padding:32px 28px;font-family:${FONT};font-size:16px;line-height:24px;mso-line-height-rule:exactly;color:${COLORS.text};">
${p(escapeHtml(strings.greeting(content.name)))}
${content.lead ? p(`<strong>${escapeHtml(content.lead)}</strong>`) : ''}
${p(escapeHtml(strings.intro))}
<table role="presentation" border="0" cellspacing="0" cellpadding="0" style="margin:0 0 16px 0;font-family:${FONT};font-size:16px;line-height:24px;">${details}</table>
${description}
<table role="presentation" border="0" cellspacing="0" cellpadding="0" style="margin:8px 0 4px 0;font-family:${FONT};font-size:15px;line-height:22px;">
${buttonRow(strings.completeButton, content.links.complete, COLORS.complete, strings.completeExplained)}
${buttonRow(strings.failButton, content.links.fail, COLORS.fail, strings.failExplained)}
</table>
${p(escapeHtml(strings.howButtonsWork))}
${p(`<strong>${escapeHtml(strings.clickIsNotEnough)}</strong>`)}
${p(escapeHtml(strings.plainReply))}
<p class="rc-muted" style="margin:24px 0 0 0;font-size:13px;line-height:20px;color:${COLORS.muted};">${escapeHtml(strings.footer)}</p>
</td></tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr>
</table>
</body>
</html>
`;
}

/**
 * A "bulletproof" button: a table cell painted with `bgcolor`, so Outlook desktop (Word's
 * renderer, which ignores padding and backgrounds on <a>) still shows a coloured button;
 * `mso-padding-alt` gives that cell the padding there. Everywhere else the padded, coloured
 * anchor itself is the button, so the whole area is clickable. The anchor text stays a plain
 * text node: SPEC 3.3 names it, and people and tests look for it exactly.
 */
function button(label: string, href: string, color: string): string {
  return (
    `<table role="presentation" border="0" cellspacing="0" cellpadding="0"><tr>` +
    `<td align="center" bgcolor="${color}" style="background-color:${color};border-radius:6px;mso-padding-alt:12px 24px;">` +
    `<a href="${escapeHtml(href)}" style="display:inline-block;min-width:112px;text-align:center;padding:12px 24px;background-color:${color};border:1px solid ${color};border-radius:6px;font-family:${FONT};font-size:16px;line-height:20px;mso-line-height-rule:exactly;font-weight:bold;color:${COLORS.buttonText};text-decoration:none;white-space:nowrap;">${escapeHtml(label)}</a>` +
    `</td></tr></table>`
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] ?? char);
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `2026-11-29 14:00 UTC`: unambiguous for every reader, whatever their locale or zone. */
function formatExpiry(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const stamp = date.toISOString();
  return `${stamp.slice(0, 10)} ${stamp.slice(11, 16)} UTC`;
}

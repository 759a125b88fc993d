import { createHash } from 'node:crypto';
import { html, markupOf, type Html } from './html';

// One stylesheet, inline and allowed by its hash: the page needs no second request, and the
// CSP still forbids every other style, every script and every outside fetch.
const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #59636e;
  --line: #d1d9e0; --head: #f6f8fa; --ok: #1a7f37; --bad: #cf222e; --wait: #9a6700; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1;
  --line: #3d444d; --head: #151b23; --ok: #3fb950; --bad: #f85149; --wait: #d29922; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--fg); background: var(--bg); }
header { display: flex; gap: 24px; align-items: baseline; padding: 12px 24px;
  border-bottom: 1px solid var(--line); background: var(--head); }
header h1 { font-size: 16px; margin: 0; }
main { padding: 8px 24px 48px; overflow-x: auto; }
h2 { font-size: 18px; margin: 28px 0 8px; }
a { color: inherit; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--head); font-weight: 600; white-space: nowrap; }
td.time, .mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
td.time { white-space: nowrap; }
form { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; margin: 8px 0 12px; }
label { display: flex; flex-direction: column; gap: 2px; font-size: 12px; color: var(--muted); }
input, select, button { font: inherit; padding: 4px 6px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dt { color: var(--muted); }
dd { margin: 0; }
.muted, .reason-text { color: var(--muted); }
.reason-text { display: block; font-size: 12.5px; }
.status { font-weight: 600; }
.status-completed, .outcome-accepted { color: var(--ok); }
.status-failed, .status-cancelled, .outcome-rejected { color: var(--bad); }
.status-pending, .status-deciding { color: var(--wait); }
.problems { color: var(--bad); }
.description { white-space: pre-wrap; }
`;

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** The CSP of the admin pages: nothing runs, nothing is fetched, no one frames them. */
export const ADMIN_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function renderPage(title: string, body: Html): string {
  const head = html`<meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>${title} · remote-completion admin</title>`;
  const page = html`<header>
      <h1>remote-completion admin</h1>
      <nav>
        <a href="/admin/">Requests and inbound mail</a> · <a href="/admin/queues">Queues</a>
      </nav>
    </header>
    <main>${body}</main>`;
  // STYLE is a constant of this file, the one piece of markup not built by html``.
  return `<!doctype html>
<html lang="en">
  <head>
    ${markupOf(head)}
    <style>${STYLE}</style>
  </head>
  <body>
    ${markupOf(page)}
  </body>
</html>
`;
}

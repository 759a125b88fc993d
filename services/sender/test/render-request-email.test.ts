import { describe, expect, it } from 'vitest';
import { buildAnswerMailto, detectReplyAction, MARKER_LINE_PATTERN } from '@rc/mail';
import { renderRequestEmail, type RequestEmailInput } from '../src/render/request-email';
import { REQUEST_EMAIL_STRINGS } from '../src/render/strings';

const input: RequestEmailInput = {
  title: 'Approve production deploy',
  description: 'Check the canary first.\nThen approve & go.',
  taskId: 'Applications/Release1/Phase2/Task3',
  release: { id: 'Release1', title: 'Shop 4.2' },
  assignee: { email: 'alice@corp.example', name: 'Alice' },
  mailboxAddress: 'answers@corp.example',
  tokens: { complete: 'tok-complete.abc', fail: 'tok-fail.xyz' },
  expiresAt: '2026-11-29T14:00:00.000Z',
};

/** Anchors as [text, href] with the attribute's HTML entities undone, as a mail client would. */
function anchors(html: string): Array<{ text: string; href: string }> {
  return [...html.matchAll(/<a\b[^>]*\bhref="([^"]*)"[^>]*>([^<]*)<\/a>/g)].map((match) => ({
    href: unescapeHtml(match[1] ?? ''),
    text: unescapeHtml(match[2] ?? ''),
  }));
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function decodeMailto(href: string): { to: string; subject: string; body: string } {
  const match = /^mailto:([^?]+)\?(.*)$/.exec(href);
  if (!match) throw new Error(`not a mailto URL: ${href}`);
  const params = new Map(
    (match[2] ?? '').split('&').map((pair) => {
      const [key = '', value = ''] = pair.split('=');
      return [key, decodeURIComponent(value)] as const;
    }),
  );
  return {
    to: match[1] ?? '',
    subject: params.get('subject') ?? '',
    body: params.get('body') ?? '',
  };
}

describe('renderRequestEmail', () => {
  it('has exactly two buttons, Complete task and Fail task, with signed mailto links', () => {
    const { html } = renderRequestEmail(input);
    const links = anchors(html);
    expect(links.map((link) => link.text)).toEqual(['Complete task', 'Fail task']);

    const [complete, fail] = links.map((link) => decodeMailto(link.href));
    expect(complete?.to).toBe('answers@corp.example');
    expect(complete?.subject).toContain('[tok-complete.abc]');
    expect(complete?.body).toMatch(MARKER_LINE_PATTERN);
    expect(complete?.body).toContain('Token: tok-complete.abc');
    expect(complete?.body).toContain('Action: complete');
    expect(fail?.to).toBe('answers@corp.example');
    expect(fail?.subject).toContain('[tok-fail.xyz]');
    expect(fail?.body).toMatch(MARKER_LINE_PATTERN);
    expect(fail?.body).toContain('Token: tok-fail.xyz');
    expect(fail?.body).toContain('Action: fail');
    // The comment goes first, above the marker.
    expect(complete?.body.indexOf('-----')).toBeGreaterThan(0);
  });

  it('uses the same URLs as buildAnswerMailto in the HTML and in the plain text', () => {
    const { html, text } = renderRequestEmail(input);
    const expected = {
      complete: buildAnswerMailto(input.mailboxAddress, {
        action: 'complete',
        token: input.tokens.complete,
        title: input.title,
      }),
      fail: buildAnswerMailto(input.mailboxAddress, {
        action: 'fail',
        token: input.tokens.fail,
        title: input.title,
      }),
    };
    expect(anchors(html).map((link) => link.href)).toEqual([expected.complete, expected.fail]);
    const lines = text.split('\n');
    expect(lines).toContain(`Complete task: ${expected.complete}`);
    expect(lines).toContain(`Fail task: ${expected.fail}`);
  });

  it('fetches nothing from outside: no http(s) URLs, no src attributes, no remote CSS', () => {
    const { html } = renderRequestEmail(input);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\bsrc\s*=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  it('is a complete, dark-mode aware document with layout tables for Outlook', () => {
    const { html } = renderRequestEmail(input);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html).toContain('<meta name="supported-color-schemes" content="light dark">');
    expect(html).toContain('max-width:600px');
    expect(html).toContain('</html>');
    for (const table of html.match(/<table\b[^>]*>/g) ?? []) {
      expect(table).toContain('role="presentation"');
    }
    // Bulletproof buttons: a coloured cell around each anchor.
    expect(html).toMatch(/<td[^>]*bgcolor="#[0-9a-f]{6}"[^>]*><a href="mailto:/);
  });

  it('shows the greeting, task, release, description, task id and expiry', () => {
    const { html, text } = renderRequestEmail(input);
    for (const body of [html, text]) {
      expect(body).toContain('Hello Alice,');
      expect(body).toContain('Approve production deploy');
      expect(body).toContain('Shop 4.2 (Release1)');
      expect(body).toContain('Applications/Release1/Phase2/Task3');
      expect(body).toContain('2026-11-29 14:00 UTC');
      expect(body).toContain('add a comment above the marked line and send it');
      expect(body).toContain('only sending the email counts');
    }
    expect(html).toContain('start it with &quot;approve&quot; or &quot;reject&quot;');
    expect(text).toContain('start it with "approve" or "reject"');
    expect(html).toContain('Check the canary first.<br>Then approve &amp; go.');
    expect(text).toContain('Check the canary first.\nThen approve & go.');
  });

  it('greets by email when there is no name, and leaves out a missing release and description', () => {
    const { html, text, subject } = renderRequestEmail({
      ...input,
      assignee: { email: 'bob@corp.example' },
      release: undefined,
      description: undefined,
    });
    expect(subject).toBe('Action required: Approve production deploy');
    expect(text).toContain('Hello bob@corp.example,');
    expect(text).not.toContain('Release:');
    expect(text).not.toContain('Description');
    expect(html).not.toContain('Description');
  });

  it('builds a single-line subject with the release title', () => {
    expect(renderRequestEmail(input).subject).toBe(
      'Action required: Approve production deploy — Shop 4.2',
    );
    const { subject } = renderRequestEmail({
      ...input,
      title: 'Approve\r\nBcc: evil@example.com',
      release: { id: 'R1', title: 'Shop\n4.2' },
    });
    expect(subject).toBe('Action required: Approve Bcc: evil@example.com — Shop 4.2');
    expect(subject).not.toMatch(/[\r\n]/);
  });

  it('escapes every piece of user text in the HTML', () => {
    const hostile = '<script>alert(1)</script>';
    const breakout = '"><img src=x>';
    const { html } = renderRequestEmail({
      ...input,
      title: hostile,
      description: `${breakout}\n'quoted' & more`,
      taskId: breakout,
      release: { id: hostile, title: breakout },
      assignee: { email: 'x@corp.example', name: breakout },
    });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x&gt;');
    expect(html).toContain('&#39;quoted&#39; &amp; more');
    // The links still carry the (percent-encoded) title and stay within their attribute.
    expect(anchors(html).map((link) => link.text)).toEqual(['Complete task', 'Fail task']);
    expect(decodeMailto(anchors(html)[0]?.href ?? '').subject).toContain(hostile);
  });

  it('speaks German for locale de, buttons included, and suggests German reply words', () => {
    const { subject, html, text } = renderRequestEmail({ ...input, locale: 'de-DE' });
    expect(subject).toBe('Aktion erforderlich: Approve production deploy — Shop 4.2');
    expect(anchors(html).map((link) => link.text)).toEqual([
      'Aufgabe abschließen',
      'Aufgabe ablehnen',
    ]);
    expect(html).toMatch(/<html lang="de"[ >]/);
    for (const body of [html, text]) {
      expect(body).toContain('Hallo Alice,');
      expect(body).toContain('Aufgaben-ID');
      expect(body).toContain('Antwort bis');
      expect(body).toContain('Beschreibung');
      expect(body).toContain('schließt die Aufgabe ab.');
      expect(body).toContain('Nur das Absenden der E-Mail zählt.');
      expect(body).toContain('„genehmigt“ oder „abgelehnt“');
      expect(body).not.toContain('Hello');
    }
    const complete = decodeMailto(anchors(html)[0]?.href ?? '');
    expect(complete.subject).toContain('Abschließen');
    expect(complete.body).toMatch(MARKER_LINE_PATTERN);
    expect(complete.body).toContain('Kommentar oberhalb dieser Zeile schreiben');
    expect(text.split('\n')).toContain(`Aufgabe abschließen: ${anchors(html)[0]?.href}`);
    expect(text.split('\n')).toContain(`Aufgabe ablehnen: ${anchors(html)[1]?.href}`);
    expect(text).toContain('„Aufgabe ablehnen“ markiert die Aufgabe als fehlgeschlagen.');
  });

  it('falls back to English for unknown locales and shows an unparseable expiry as given', () => {
    const { subject, text } = renderRequestEmail({ ...input, locale: 'it', expiresAt: 'soon' });
    expect(subject.startsWith('Action required: ')).toBe(true);
    expect(text).toContain('Answer by: soon');
  });

  it.each(Object.entries(REQUEST_EMAIL_STRINGS))(
    'suggests reply words (%s) that the verifier understands',
    (_locale, strings) => {
      expect(strings.plainReply).toContain(strings.replyKeywords.complete);
      expect(strings.plainReply).toContain(strings.replyKeywords.fail);
      expect(detectReplyAction(strings.replyKeywords.complete)).toBe('complete');
      expect(detectReplyAction(strings.replyKeywords.fail)).toBe('fail');
    },
  );

  it('tells what each button does and names task and release in every locale', () => {
    for (const locale of Object.keys(REQUEST_EMAIL_STRINGS) as Array<
      keyof typeof REQUEST_EMAIL_STRINGS
    >) {
      const strings = REQUEST_EMAIL_STRINGS[locale];
      const { html, text } = renderRequestEmail({ ...input, locale });
      for (const body of [html, text]) {
        expect(body).toContain(strings.completeExplained);
        expect(body).toContain(strings.failExplained);
        expect(body).toContain(strings.task);
        expect(body).toContain(strings.release);
        expect(body).toContain('Approve production deploy');
        expect(body).toContain('Shop 4.2 (Release1)');
      }
    }
  });

  it('is built for Outlook desktop, phones and dark mode', () => {
    const { html } = renderRequestEmail(input);
    // Outlook (Word) paints the button from the cell; everyone else from the padded anchor.
    for (const color of ['#1a7f37', '#b42318']) {
      expect(html).toContain(
        `<td align="center" bgcolor="${color}" style="background-color:${color};border-radius:6px;mso-padding-alt:12px 24px;">`,
      );
      expect(html).toMatch(
        new RegExp(
          `<a href="mailto:[^"]*" style="display:inline-block;min-width:112px;text-align:center;padding:12px 24px;background-color:${color};`,
        ),
      );
    }
    expect(html).toContain('<!--[if mso]><table role="presentation" width="600"');
    expect(html).toContain('<o:PixelsPerInch>96</o:PixelsPerInch>');
    expect(html).toContain('@media (prefers-color-scheme: dark)');
    expect(html).toContain('[data-ogsb] .rc-page');
    expect(html).toContain('@media screen and (max-width: 480px)');
    expect(html).toContain('<meta name="format-detection"');
  });
});

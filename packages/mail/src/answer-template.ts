/**
 * The pre-filled answer behind the Complete/Fail buttons. The sender renders it into the
 * mailto: links and the parser recognises it, so both sides live here.
 *
 * The body puts the person's comment first, above a marked line; everything from the marker
 * down is ours and is dropped from the comment. The marker is matched on its fixed dashes and
 * the `rc:comment-above` tag, not on the translated words, so any locale is recognised.
 */
export type AnswerTemplateAction = 'complete' | 'fail';

export interface AnswerTemplateInput {
  action: AnswerTemplateAction;
  token: string;
  title: string;
  locale?: string;
}

const STRINGS = {
  en: {
    complete: 'Complete',
    fail: 'Fail',
    marker: 'Write your comment above this line',
    action: 'Action',
    task: 'Task',
  },
  de: {
    complete: 'Abschließen',
    fail: 'Fehlschlagen',
    marker: 'Kommentar oberhalb dieser Zeile schreiben',
    action: 'Aktion',
    task: 'Aufgabe',
  },
} as const;

export type TemplateLocale = keyof typeof STRINGS;

export function templateLocale(locale: string | undefined): TemplateLocale {
  const language = (locale ?? 'en').slice(0, 2).toLowerCase();
  return language in STRINGS ? (language as TemplateLocale) : 'en';
}

export const MARKER_TAG = 'rc:comment-above';
/** Matches the marker line in any locale, also when quoted (`> `) by a client. */
export const MARKER_LINE_PATTERN = /^[>\s]*-{5} .*\[rc:comment-above\] -{5}\s*$/m;

export function buildAnswerTemplate(input: AnswerTemplateInput): { subject: string; body: string } {
  const strings = STRINGS[templateLocale(input.locale)];
  const verb = input.action === 'complete' ? strings.complete : strings.fail;
  const title = input.title.replace(/[\r\n]+/g, ' ').slice(0, 120);
  return {
    subject: `${verb}: ${title} [${input.token}]`,
    body: [
      '',
      '',
      `----- ${strings.marker} [${MARKER_TAG}] -----`,
      `${strings.action}: ${input.action}`,
      `${strings.task}: ${title}`,
      `Token: ${input.token}`,
      '',
    ].join('\r\n'),
  };
}

/** `mailto:` URL for a button (RFC 6068: percent-encoded UTF-8, CRLF line breaks). */
export function buildAnswerMailto(mailbox: string, input: AnswerTemplateInput): string {
  const { subject, body } = buildAnswerTemplate(input);
  return `mailto:${mailbox}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
}

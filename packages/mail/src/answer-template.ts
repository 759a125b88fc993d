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

/**
 * The marker words carry no hyphen and stay short: when a webmail client runs the body into one
 * line, comment.ts finds the marker by its last run of dashes before the tag, at most 80
 * characters away, with no dash in between.
 */
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
    fail: 'Ablehnen',
    marker: 'Kommentar oberhalb dieser Zeile schreiben',
    action: 'Aktion',
    task: 'Aufgabe',
  },
  fr: {
    complete: 'Terminer',
    fail: 'Rejeter',
    marker: 'Écrivez votre commentaire avant cette ligne',
    action: 'Action',
    task: 'Tâche',
  },
  es: {
    complete: 'Completar',
    fail: 'Rechazar',
    marker: 'Escriba su comentario encima de esta línea',
    action: 'Acción',
    task: 'Tarea',
  },
  nl: {
    complete: 'Voltooien',
    fail: 'Afwijzen',
    marker: 'Schrijf uw opmerking boven deze regel',
    action: 'Actie',
    task: 'Taak',
  },
  // One Portuguese for Brazil and Portugal: wording both read as their own.
  pt: {
    complete: 'Concluir',
    fail: 'Rejeitar',
    marker: 'Escreva o seu comentário acima desta linha',
    action: 'Ação',
    task: 'Tarefa',
  },
  ja: {
    complete: '完了',
    fail: '却下',
    marker: 'この行より上にコメントを書いてください',
    action: '操作',
    task: 'タスク',
  },
} as const;

export type TemplateLocale = keyof typeof STRINGS;

export const TEMPLATE_LOCALES = Object.freeze(Object.keys(STRINGS)) as readonly TemplateLocale[];

/** The language of a BCP 47 tag (`pt-BR` → `pt`, `de_AT` → `de`); unknown ones → `en`. */
export function templateLocale(locale: string | undefined): TemplateLocale {
  const language = (locale ?? 'en').split(/[-_]/)[0]?.toLowerCase() ?? 'en';
  return Object.hasOwn(STRINGS, language) ? (language as TemplateLocale) : 'en';
}

export const MARKER_TAG = 'rc:comment-above';
/** Matches the marker line in any locale, also when quoted (`> `) by a client. */
export const MARKER_LINE_PATTERN = /^[>\s]*-{5} .*\[rc:comment-above\] -{5}\s*$/m;

export function buildAnswerTemplate(input: AnswerTemplateInput): { subject: string; body: string } {
  const strings = STRINGS[templateLocale(input.locale)];
  const verb = input.action === 'complete' ? strings.complete : strings.fail;
  const title = shortTitle(input.title);
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

/**
 * At most 120 characters and 240 UTF-8 bytes, cut between code points. The title goes into
 * the mailto: URL twice, each byte as `%XX`: a Japanese title of 120 characters would make
 * the URL longer than the ~2000 characters some mail handlers accept (Windows' URL protocol
 * hand-off, older Outlook). Cutting inside a surrogate pair would make encodeURIComponent throw.
 */
function shortTitle(text: string): string {
  let title = '';
  let bytes = 0;
  let count = 0;
  for (const char of text.replace(/[\r\n]+/g, ' ')) {
    bytes += Buffer.byteLength(char, 'utf8');
    count += 1;
    if (count > MAX_TITLE_CHARS || bytes > MAX_TITLE_BYTES) break;
    title += char;
  }
  return title;
}

const MAX_TITLE_CHARS = 120;
const MAX_TITLE_BYTES = 240;

/** `mailto:` URL for a button (RFC 6068: percent-encoded UTF-8, CRLF line breaks). */
export function buildAnswerMailto(mailbox: string, input: AnswerTemplateInput): string {
  const { subject, body } = buildAnswerTemplate(input);
  return `mailto:${mailbox}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
}

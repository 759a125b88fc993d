import type { TemplateLocale } from '@rc/mail';

/**
 * Words around the request email. The button texts are not here on purpose: SPEC 3.3 fixes
 * them to `Complete task` and `Fail task` in every locale, so `request-email.ts` owns them.
 * The reply keywords each locale suggests must be in @rc/mail's DEFAULT_ACTION_VOCABULARY
 * (a test checks it), or a plain reply that follows our own advice would not be understood.
 */
export interface RequestEmailStrings {
  subjectPrefix: string;
  greeting: (name: string) => string;
  intro: string;
  task: string;
  release: string;
  description: string;
  taskId: string;
  expires: string;
  quote: (text: string) => string;
  completeExplained: string;
  failExplained: string;
  howButtonsWork: string;
  clickIsNotEnough: string;
  plainReply: string;
  /** The words `plainReply` suggests, in the order it names them: complete, then fail. */
  replyKeywords: { complete: string; fail: string };
  footer: string;
}

export const REQUEST_EMAIL_STRINGS: Record<TemplateLocale, RequestEmailStrings> = {
  en: {
    subjectPrefix: 'Action required',
    greeting: (name) => `Hello ${name},`,
    intro: 'A task in a release pipeline is waiting for your decision.',
    task: 'Task',
    release: 'Release',
    description: 'Description',
    taskId: 'Task ID',
    expires: 'Answer by',
    quote: (text) => `"${text}"`,
    completeExplained: 'marks the task as completed.',
    failExplained: 'marks the task as failed.',
    howButtonsWork:
      'Both open a pre-filled email; add a comment above the marked line and send it.',
    clickIsNotEnough: 'Clicking does nothing by itself: only sending the email counts.',
    plainReply: 'A plain reply to this email works too: start it with "approve" or "reject".',
    replyKeywords: { complete: 'approve', fail: 'reject' },
    footer:
      'This message was sent automatically. Please do not change the token in the subject or body.',
  },
  de: {
    subjectPrefix: 'Aktion erforderlich',
    greeting: (name) => `Hallo ${name},`,
    intro: 'Eine Aufgabe in einer Release-Pipeline wartet auf Ihre Entscheidung.',
    task: 'Aufgabe',
    release: 'Release',
    description: 'Beschreibung',
    taskId: 'Aufgaben-ID',
    expires: 'Antwort bis',
    quote: (text) => `„${text}“`,
    completeExplained: 'schließt die Aufgabe ab.',
    failExplained: 'markiert die Aufgabe als fehlgeschlagen.',
    howButtonsWork:
      'Beide öffnen eine vorausgefüllte E-Mail; schreiben Sie einen Kommentar oberhalb der markierten Zeile und senden Sie sie ab.',
    clickIsNotEnough: 'Ein Klick allein bewirkt nichts: Nur das Absenden der E-Mail zählt.',
    plainReply:
      'Eine einfache Antwort auf diese E-Mail funktioniert auch: Beginnen Sie sie mit „genehmigt“ oder „abgelehnt“.',
    replyKeywords: { complete: 'genehmigt', fail: 'abgelehnt' },
    footer:
      'Diese Nachricht wurde automatisch versendet. Bitte ändern Sie das Token in Betreff oder Text nicht.',
  },
};

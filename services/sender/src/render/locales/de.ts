import type { LocaleStrings } from '../strings';

/** German. */
const replyKeywords = { complete: 'genehmigt', fail: 'abgelehnt' };
const DONE = { complete: 'abgeschlossen', fail: 'als fehlgeschlagen markiert' } as const;
const completeButton = 'Aufgabe abschließen';
const failButton = 'Aufgabe ablehnen';
const BUTTONS = `„${completeButton}“ oder „${failButton}“`;
const COULD_NOT_APPLY = 'Ihre E-Mail konnte nicht angewendet werden.';

export const de: LocaleStrings = {
  request: {
    subjectPrefix: 'Aktion erforderlich',
    completeButton,
    failButton,
    greeting: (name) => `Hallo ${name},`,
    intro: 'Eine Aufgabe in einer Release-Pipeline wartet auf Ihre Entscheidung.',
    task: 'Aufgabe',
    release: 'Release',
    description: 'Beschreibung',
    taskId: 'Aufgaben-ID',
    expires: 'Antwort bis',
    explainButton: (label, explained) => `„${label}“ ${explained}`,
    completeExplained: 'schließt die Aufgabe ab.',
    failExplained: 'markiert die Aufgabe als fehlgeschlagen.',
    howButtonsWork:
      'Beide öffnen eine vorausgefüllte E-Mail; schreiben Sie einen Kommentar oberhalb der markierten Zeile und senden Sie sie ab.',
    clickIsNotEnough: 'Ein Klick allein bewirkt nichts: Nur das Absenden der E-Mail zählt.',
    plainReply: `Eine einfache Antwort auf diese E-Mail funktioniert auch: Beginnen Sie sie mit „${replyKeywords.complete}“ oder „${replyKeywords.fail}“.`,
    replyKeywords,
    footer:
      'Diese Nachricht wurde automatisch versendet. Bitte ändern Sie das Token in Betreff oder Text nicht.',
  },
  notice: {
    greeting: 'Hallo,',
    footer: 'Diese Nachricht wurde automatisch vom Remote-Completion-Dienst versendet.',
    rejection: {
      subject: (request) =>
        request ? `Nicht angewendet: ${request.title}` : 'Ihre E-Mail wurde nicht verarbeitet',
      headline: (request) =>
        request
          ? `Ihre Antwort auf „${request.title}“ (Aufgabe ${request.taskId}) wurde nicht angewendet.`
          : 'Ihre E-Mail wurde nicht angewendet.',
      explanations: {
        expired: ({ request }) =>
          `Die Anfrage ist ${request ? `am ${request.expiresAt}` : 'zu ihrer Ablaufzeit'} abgelaufen, bevor Ihre Antwort eintraf. Falls die Aufgabe noch eine Entscheidung braucht, bitten Sie ihren Verantwortlichen um eine neue Anfrage.`,
        already_decided: ({ decision }) =>
          decision
            ? `Die Aufgabe wurde bereits von ${decision.actor} am ${decision.decidedAt} ${DONE[decision.action]}. Die erste Antwort zählt; spätere Antworten werden nicht angewendet.`
            : 'Über die Aufgabe wurde bereits mit einer früheren Antwort entschieden. Die erste Antwort zählt; spätere Antworten werden nicht angewendet.',
        cancelled: ({ cancelledAt }) =>
          `Die Anfrage wurde${cancelledAt ? ` am ${cancelledAt}` : ''} zurückgezogen: Die Aufgabe wurde anderweitig erledigt oder neu zugewiesen. Wenn sie Ihnen neu zugewiesen wurde, antworten Sie auf die neueste Anfrage-E-Mail.`,
        sender_mismatch: () =>
          'Der Antwort-Link, den Sie verwendet haben, wurde an eine andere Person gesendet. Nur wer eine Anfrage-E-Mail erhalten hat, kann mit ihren Links antworten; bitte verwenden Sie die Schaltflächen in Ihrer eigenen Anfrage-E-Mail.',
        bad_signature: () =>
          `Der Antwortcode in Ihrer E-Mail wurde verändert oder ist nicht mehr gültig. Bitte verwenden Sie erneut die Schaltfläche ${BUTTONS} in der Anfrage-E-Mail, ohne den Code zu bearbeiten.`,
        unknown_request: () => 'Die Anfrage, auf die Ihre E-Mail antwortet, existiert nicht mehr.',
        no_token: () =>
          `Ihre E-Mail sagt nicht, auf welche Anfrage sie antwortet. Bitte verwenden Sie die Schaltfläche ${BUTTONS} in der Anfrage-E-Mail, oder antworten Sie direkt auf die Anfrage-E-Mail.`,
        no_action: () =>
          `Wir konnten nicht erkennen, ob Sie die Aufgabe abschließen oder als fehlgeschlagen markieren möchten. Bitte verwenden Sie die Schaltfläche ${BUTTONS}, oder beginnen Sie Ihre Antwort mit „${replyKeywords.complete}“ oder „${replyKeywords.fail}“.`,
        ambiguous: () =>
          'Ihre E-Mail beantwortet mehrere Anfragen auf einmal. Bitte beantworten Sie jede Anfrage einzeln.',
        auto_reply: () =>
          'Ihre E-Mail sah wie eine automatische Antwort aus (etwa eine Abwesenheitsnotiz) und wurde daher nicht als Antwort gelesen.',
        bounce: () =>
          'Ihre E-Mail sah wie ein Zustellbericht aus und wurde daher nicht als Antwort gelesen.',
        read_receipt: () =>
          'Ihre E-Mail war eine Lesebestätigung und wurde daher nicht als Antwort gelesen.',
        calendar_reply: () =>
          `Ihre E-Mail war eine Kalenderantwort (etwa „Angenommen“) und wurde daher nicht als Antwort gelesen. Bitte verwenden Sie die Schaltfläche ${BUTTONS} in der Anfrage-E-Mail.`,
        auto_forward: () =>
          'Ihre E-Mail wurde von einer Postfachregel weitergeleitet und daher nicht als Antwort gelesen. Bitte beantworten Sie die Anfrage-E-Mail selbst.',
        loop: () => COULD_NOT_APPLY,
        too_large: () =>
          'Ihre E-Mail war zu groß, um gelesen zu werden. Bitte antworten Sie erneut ohne Anhänge.',
        malformed: () =>
          `Ihre E-Mail konnte nicht gelesen werden. Bitte verwenden Sie erneut die Schaltfläche ${BUTTONS} in der Anfrage-E-Mail.`,
        rate_limited: () =>
          'Sie haben in kurzer Zeit mehr E-Mails gesendet, als der Dienst liest. Bitte warten Sie eine Weile und antworten Sie dann einmal.',
        // Which rule refused the sender stays unsaid: naming it helps whoever probes the rules.
        not_whitelisted: () => COULD_NOT_APPLY,
        dmarc_fail: () => COULD_NOT_APPLY,
        processing_failed: () =>
          'Ihre E-Mail konnte wegen eines Fehlers auf unserer Seite nicht verarbeitet werden. Bitte antworten Sie später erneut oder informieren Sie Ihr Release-Team.',
        self_approval: () =>
          'Sie haben diese Freigabe selbst angefordert, und die Anfrage erlaubt keine Freigabe der eigenen Anfrage. Eine andere zugewiesene Person muss antworten.',
        revoked: () =>
          'Die Anfrage wurde neu zugewiesen, und Sie gehören nicht mehr zu den zugewiesenen Personen; die Antwort-Links in Ihrer Anfrage-E-Mail gelten daher nicht mehr.',
        already_voted: ({ decision }) =>
          `Sie hatten auf diese Anfrage bereits geantwortet${decision ? ` („${decision.action === 'complete' ? completeButton : failButton}“ am ${decision.decidedAt})` : ''}. Es zählt die erste Antwort jeder Person; spätere Antworten werden nicht angewendet.`,
        reason_required: () =>
          `Diese Anfrage verlangt für eine Ablehnung eine Begründung, und Ihre Antwort enthielt keinen Kommentar. Bitte verwenden Sie erneut die Schaltfläche „${failButton}“ und schreiben Sie die Begründung oberhalb der markierten Zeile.`,
      },
      nothingChanged: 'In der Release-Engine wurde nichts geändert.',
      reasonCode: (reason) => `Grund (Code): ${reason}`,
      yourEmail: (messageId) => `Ihre E-Mail: ${messageId}`,
    },
    decided: {
      subject: ({ request }) => `Entschieden: ${request.title}`,
      // Folgt auf „Hallo,“ in der Zeile darüber, daher klein.
      headline: ({ request, decision }) =>
        `die Aufgabe „${request.title}“ (Aufgabe ${request.taskId}) wurde von ${decision.actor} am ${decision.decidedAt} ${DONE[decision.action]}.`,
      noAnswerNeeded:
        'Ihre Antwort wird nicht mehr benötigt: Die Antwort-Links in Ihrer Anfrage-E-Mail gelten nicht mehr.',
    },
    confirmation: {
      subject: ({ request, action, engineResult }) =>
        engineResult === 'done'
          ? `${action === 'complete' ? 'Abgeschlossen' : 'Fehlgeschlagen'}: ${request.title}`
          : `Erfasst: ${request.title}`,
      headline: ({ request, action, engineResult }) =>
        engineResult === 'done'
          ? `Ihre Antwort wurde angewendet: Die Aufgabe „${request.title}“ (Aufgabe ${request.taskId}) wurde in der Release-Engine als ${action === 'complete' ? 'abgeschlossen' : 'fehlgeschlagen'} markiert.`
          : `Ihre Antwort auf „${request.title}“ (Aufgabe ${request.taskId}) wurde erfasst; laut Release-Engine war die Aufgabe bereits geschlossen.`,
      yourComment: 'Ihr Kommentar:',
      notYou:
        'Falls Sie diese Antwort nicht gesendet haben, informieren Sie sofort Ihr Release-Team.',
    },
  },
  timers: {
    reminder: {
      subjectPrefix: 'Erinnerung: Aktion erforderlich',
      lead: 'Erinnerung: Diese Aufgabe wartet noch auf Ihre Entscheidung.',
    },
    escalation: {
      subjectPrefix: 'Aktion erforderlich (eskaliert)',
      lead: (after) =>
        `Sie wurden zu dieser Anfrage hinzugefügt, weil innerhalb von ${after} niemand geantwortet hat.`,
    },
  },
};

import type { LocaleStrings } from '../strings';

/**
 * French. Typography as French readers expect it: guillemets and a no-break space (U+00A0)
 * before `:` and `;` and inside « », so a line never starts with the punctuation.
 */
const quote = (text: string) => `«\u00a0${text}\u00a0»`;
const replyKeywords = { complete: 'approuvé', fail: 'rejeté' };
const completeButton = 'Terminer la tâche';
const failButton = 'Rejeter la tâche';
const BUTTONS = `${quote(completeButton)} ou ${quote(failButton)}`;
const DONE = { complete: 'terminée', fail: 'mise en échec' } as const;
const MARKED = { complete: 'terminée', fail: 'en échec' } as const;
const COULD_NOT_APPLY = 'Votre e-mail n’a pas pu être appliqué.';
const NOT_READ = 'il n’a donc pas été lu comme une réponse.';

export const fr: LocaleStrings = {
  request: {
    subjectPrefix: 'Action requise',
    completeButton,
    failButton,
    greeting: (name) => `Bonjour ${name},`,
    intro: 'Une tâche d’un pipeline de release attend votre décision.',
    task: 'Tâche',
    release: 'Release',
    description: 'Description',
    taskId: 'ID de la tâche',
    expires: 'Échéance',
    explainButton: (label, explained) => `${quote(label)} ${explained}`,
    completeExplained: 'marque la tâche comme terminée.',
    failExplained: 'marque la tâche comme en échec.',
    howButtonsWork:
      'Chacun ouvre un e-mail prérempli\u00a0: ajoutez un commentaire au-dessus de la ligne indiquée, puis envoyez-le.',
    clickIsNotEnough: 'Un clic seul ne suffit pas\u00a0: seul l’envoi de l’e-mail compte.',
    plainReply: `Vous pouvez aussi simplement répondre à cet e-mail\u00a0: commencez votre réponse par ${quote(replyKeywords.complete)} ou ${quote(replyKeywords.fail)}.`,
    replyKeywords,
    footer:
      'Ce message a été envoyé automatiquement. Merci de ne pas modifier le jeton dans l’objet ou le corps du message.',
  },
  notice: {
    greeting: 'Bonjour,',
    footer: 'Ce message a été envoyé automatiquement par le service Remote Completion.',
    rejection: {
      subject: (request) =>
        request
          ? `Réponse non appliquée\u00a0: ${request.title}`
          : 'Votre e-mail n’a pas été traité',
      headline: (request) =>
        request
          ? `Votre réponse à ${quote(request.title)} (tâche ${request.taskId}) n’a pas été appliquée.`
          : 'Votre e-mail n’a pas été appliqué.',
      explanations: {
        expired: ({ request }) =>
          `La demande a expiré ${request ? `le ${request.expiresAt}` : 'à son échéance'}, avant l’arrivée de votre réponse. Si la tâche attend encore une décision, demandez à son responsable d’envoyer une nouvelle demande.`,
        already_decided: ({ decision }) =>
          decision
            ? `La tâche avait déjà été ${DONE[decision.action]} par ${decision.actor} le ${decision.decidedAt}. Seule la première réponse compte\u00a0; les suivantes ne sont pas appliquées.`
            : 'Une réponse précédente a déjà décidé de cette tâche. Seule la première réponse compte\u00a0; les suivantes ne sont pas appliquées.',
        cancelled: ({ cancelledAt }) =>
          `La demande a été retirée${cancelledAt ? ` le ${cancelledAt}` : ''}\u00a0: la tâche a été traitée ailleurs ou réattribuée. Si elle vous a été réattribuée, répondez au dernier e-mail de demande.`,
        sender_mismatch: () =>
          'Le lien de réponse que vous avez utilisé a été envoyé à une autre personne. Seul le destinataire d’un e-mail de demande peut répondre avec ses liens\u00a0; veuillez utiliser les boutons de votre propre e-mail de demande.',
        bad_signature: () =>
          `Le code de réponse de votre e-mail a été modifié ou n’est plus valide. Veuillez utiliser à nouveau le bouton ${BUTTONS} de l’e-mail de demande, sans modifier le code.`,
        unknown_request: () => 'La demande à laquelle répond votre e-mail n’existe plus.',
        no_token: () =>
          `Votre e-mail n’indique pas à quelle demande il répond. Veuillez utiliser le bouton ${BUTTONS} de l’e-mail de demande, ou répondre directement à l’e-mail de demande.`,
        no_action: () =>
          `Nous n’avons pas pu déterminer si vous voulez terminer la tâche ou la rejeter. Veuillez utiliser le bouton ${BUTTONS}, ou commencer votre réponse par ${quote(replyKeywords.complete)} ou ${quote(replyKeywords.fail)}.`,
        ambiguous: () =>
          'Votre e-mail répond à plusieurs demandes à la fois. Veuillez répondre à chaque demande séparément.',
        auto_reply: () =>
          `Votre e-mail ressemblait à une réponse automatique (par exemple un message d’absence)\u00a0; ${NOT_READ}`,
        bounce: () => `Votre e-mail ressemblait à un rapport de distribution\u00a0; ${NOT_READ}`,
        read_receipt: () => `Votre e-mail était un accusé de lecture\u00a0; ${NOT_READ}`,
        calendar_reply: () =>
          `Votre e-mail était une réponse d’agenda (par exemple ${quote('Accepté')})\u00a0; ${NOT_READ} Veuillez utiliser le bouton ${BUTTONS} de l’e-mail de demande.`,
        auto_forward: () =>
          `Votre e-mail a été transféré par une règle de boîte aux lettres\u00a0; ${NOT_READ} Veuillez répondre vous-même à l’e-mail de demande.`,
        loop: () => COULD_NOT_APPLY,
        too_large: () =>
          'Votre e-mail était trop volumineux pour être lu. Veuillez répondre à nouveau sans pièces jointes.',
        malformed: () =>
          `Votre e-mail n’a pas pu être lu. Veuillez utiliser à nouveau le bouton ${BUTTONS} de l’e-mail de demande.`,
        rate_limited: () =>
          'Vous avez envoyé en peu de temps plus d’e-mails que le service n’en lit. Veuillez patienter un moment, puis répondre une seule fois.',
        // Which rule refused the sender stays unsaid: naming it helps whoever probes the rules.
        not_whitelisted: () => COULD_NOT_APPLY,
        dmarc_fail: () => COULD_NOT_APPLY,
        processing_failed: () =>
          'Votre e-mail n’a pas pu être traité à cause d’une erreur de notre côté. Veuillez répondre à nouveau plus tard, ou prévenir votre équipe release.',
        self_approval: () =>
          'Vous avez vous-même demandé cette approbation, et la demande n’autorise pas son demandeur à l’approuver. Une autre personne désignée doit répondre.',
        revoked: () =>
          'La demande a été réattribuée et vous ne figurez plus parmi ses destinataires\u00a0; les liens de réponse de votre e-mail de demande ne fonctionnent donc plus.',
        already_voted: ({ decision }) =>
          `Vous aviez déjà répondu à cette demande${decision ? ` (${quote(decision.action === 'complete' ? completeButton : failButton)} le ${decision.decidedAt})` : ''}. Seule la première réponse de chaque personne compte\u00a0; les suivantes ne sont pas appliquées.`,
        reason_required: () =>
          `Cette demande exige un motif en cas de rejet, et votre réponse ne contenait aucun commentaire. Veuillez utiliser à nouveau le bouton ${quote(failButton)} et écrire le motif au-dessus de la ligne indiquée.`,
      },
      nothingChanged: 'Rien n’a été modifié dans le moteur de release.',
      reasonCode: (reason) => `Code du motif\u00a0: ${reason}`,
      yourEmail: (messageId) => `Votre e-mail\u00a0: ${messageId}`,
    },
    decided: {
      subject: ({ request }) => `Décision prise\u00a0: ${request.title}`,
      headline: ({ request, decision }) =>
        `La tâche ${quote(request.title)} (tâche ${request.taskId}) a été ${DONE[decision.action]} par ${decision.actor} le ${decision.decidedAt}.`,
      noAnswerNeeded:
        'Votre réponse n’est plus nécessaire\u00a0: les liens de réponse de votre e-mail de demande ne fonctionnent plus.',
    },
    confirmation: {
      subject: ({ request, action, engineResult }) =>
        engineResult === 'done'
          ? `${action === 'complete' ? 'Terminée' : 'En échec'}\u00a0: ${request.title}`
          : `Réponse enregistrée\u00a0: ${request.title}`,
      headline: ({ request, action, engineResult }) =>
        engineResult === 'done'
          ? `Votre réponse a été appliquée\u00a0: la tâche ${quote(request.title)} (tâche ${request.taskId}) a été marquée comme ${MARKED[action]} dans le moteur de release.`
          : `Votre réponse à ${quote(request.title)} (tâche ${request.taskId}) a été enregistrée\u00a0; selon le moteur de release, la tâche était déjà close.`,
      yourComment: 'Votre commentaire\u00a0:',
      notYou:
        'Si vous n’avez pas envoyé cette réponse, prévenez immédiatement votre équipe release.',
    },
  },
  timers: {
    reminder: {
      subjectPrefix: 'Rappel\u00a0: action requise',
      lead: 'Rappel\u00a0: cette tâche attend toujours votre décision.',
    },
    escalation: {
      subjectPrefix: 'Action requise (escalade)',
      lead: (after) =>
        `Cette demande vous est transmise parce que personne n’y a répondu dans un délai de ${after}.`,
    },
  },
};

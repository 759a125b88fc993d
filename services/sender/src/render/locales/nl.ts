import type { LocaleStrings } from '../strings';

/** Dutch, addressing the reader as u. */
const quote = (text: string) => `‘${text}’`;
const replyKeywords = { complete: 'goedgekeurd', fail: 'afgewezen' };
const completeButton = 'Taak voltooien';
const failButton = 'Taak afwijzen';
const BUTTONS = `${quote(completeButton)} of ${quote(failButton)}`;
const DONE = { complete: 'voltooid', fail: 'als mislukt gemarkeerd' } as const;
const MARKED = { complete: 'voltooid', fail: 'mislukt' } as const;
const COULD_NOT_APPLY = 'Uw e-mail kon niet worden toegepast.';
const NOT_READ = 'en is daarom niet als antwoord gelezen.';

export const nl: LocaleStrings = {
  request: {
    subjectPrefix: 'Actie vereist',
    completeButton,
    failButton,
    greeting: (name) => `Beste ${name},`,
    intro: 'Een taak in een releasepipeline wacht op uw beslissing.',
    task: 'Taak',
    release: 'Release',
    description: 'Beschrijving',
    taskId: 'Taak-ID',
    expires: 'Antwoord vóór',
    explainButton: (label, explained) => `${quote(label)} ${explained}`,
    completeExplained: 'markeert de taak als voltooid.',
    failExplained: 'markeert de taak als mislukt.',
    howButtonsWork:
      'Beide openen een vooraf ingevulde e-mail: schrijf een opmerking boven de gemarkeerde regel en verstuur die.',
    clickIsNotEnough: 'Alleen klikken doet niets: pas het versturen van de e-mail telt.',
    plainReply: `U kunt ook gewoon op deze e-mail antwoorden: begin uw antwoord met ${quote(replyKeywords.complete)} of ${quote(replyKeywords.fail)}.`,
    replyKeywords,
    footer:
      'Dit bericht is automatisch verzonden. Wijzig het token in het onderwerp of de tekst niet.',
  },
  notice: {
    greeting: 'Hallo,',
    footer: 'Dit bericht is automatisch verzonden door de Remote Completion-service.',
    rejection: {
      subject: (request) =>
        request ? `Niet toegepast: ${request.title}` : 'Uw e-mail is niet verwerkt',
      headline: (request) =>
        request
          ? `Uw antwoord op ${quote(request.title)} (taak ${request.taskId}) is niet toegepast.`
          : 'Uw e-mail is niet toegepast.',
      explanations: {
        expired: ({ request }) =>
          `Het verzoek is ${request ? `op ${request.expiresAt}` : 'op de vervaltijd'} verlopen, voordat uw antwoord binnenkwam. Heeft de taak nog een beslissing nodig, vraag de eigenaar dan om een nieuw verzoek.`,
        already_decided: ({ decision }) =>
          decision
            ? `De taak was al ${DONE[decision.action]} door ${decision.actor} op ${decision.decidedAt}. Het eerste antwoord telt; latere antwoorden worden niet toegepast.`
            : 'Over de taak was al beslist met een eerder antwoord. Het eerste antwoord telt; latere antwoorden worden niet toegepast.',
        cancelled: ({ cancelledAt }) =>
          `Het verzoek is${cancelledAt ? ` op ${cancelledAt}` : ''} ingetrokken: de taak is elders afgehandeld of opnieuw toegewezen. Is de taak aan u toegewezen, beantwoord dan de nieuwste verzoekmail.`,
        sender_mismatch: () =>
          'De antwoordlink die u gebruikte, is naar iemand anders gestuurd. Alleen de ontvanger van een verzoekmail kan met de links daarin antwoorden; gebruik de knoppen in uw eigen verzoekmail.',
        bad_signature: () =>
          `De antwoordcode in uw e-mail is gewijzigd of niet meer geldig. Gebruik opnieuw de knop ${BUTTONS} in de verzoekmail, zonder de code te bewerken.`,
        unknown_request: () => 'Het verzoek waarop uw e-mail antwoordt, bestaat niet meer.',
        no_token: () =>
          `Uit uw e-mail blijkt niet op welk verzoek die antwoordt. Gebruik de knop ${BUTTONS} in de verzoekmail, of antwoord rechtstreeks op de verzoekmail.`,
        no_action: () =>
          `We konden niet vaststellen of u de taak wilt voltooien of afwijzen. Gebruik de knop ${BUTTONS}, of begin uw antwoord met ${quote(replyKeywords.complete)} of ${quote(replyKeywords.fail)}.`,
        ambiguous: () =>
          'Uw e-mail beantwoordt meerdere verzoeken tegelijk. Beantwoord elk verzoek afzonderlijk.',
        auto_reply: () =>
          `Uw e-mail leek op een automatisch antwoord (zoals een afwezigheidsbericht) ${NOT_READ}`,
        bounce: () => `Uw e-mail leek op een afleveringsrapport ${NOT_READ}`,
        read_receipt: () => `Uw e-mail was een leesbevestiging ${NOT_READ}`,
        calendar_reply: () =>
          `Uw e-mail was een agenda-antwoord (zoals ${quote('Geaccepteerd')}) ${NOT_READ} Gebruik de knop ${BUTTONS} in de verzoekmail.`,
        auto_forward: () =>
          `Uw e-mail is doorgestuurd door een postvakregel ${NOT_READ} Beantwoord de verzoekmail zelf.`,
        loop: () => COULD_NOT_APPLY,
        too_large: () => 'Uw e-mail was te groot om te lezen. Antwoord opnieuw, zonder bijlagen.',
        malformed: () =>
          `Uw e-mail kon niet worden gelezen. Gebruik opnieuw de knop ${BUTTONS} in de verzoekmail.`,
        rate_limited: () =>
          'U hebt in korte tijd meer e-mails gestuurd dan de service leest. Wacht even en antwoord dan één keer.',
        // Which rule refused the sender stays unsaid: naming it helps whoever probes the rules.
        not_whitelisted: () => COULD_NOT_APPLY,
        dmarc_fail: () => COULD_NOT_APPLY,
        processing_failed: () =>
          'Uw e-mail kon door een fout aan onze kant niet worden verwerkt. Antwoord later opnieuw of laat het uw releaseteam weten.',
        self_approval: () =>
          'U hebt deze goedkeuring zelf aangevraagd, en het verzoek staat niet toe dat de aanvrager goedkeurt. Een andere toegewezen persoon moet antwoorden.',
        revoked: () =>
          'Het verzoek is opnieuw toegewezen en u hoort niet meer bij de toegewezen personen; de antwoordlinks in uw verzoekmail werken daarom niet meer.',
        already_voted: ({ decision }) =>
          `U had dit verzoek al beantwoord${decision ? ` (${quote(decision.action === 'complete' ? completeButton : failButton)} op ${decision.decidedAt})` : ''}. Het eerste antwoord van elke persoon telt; latere antwoorden worden niet toegepast.`,
        reason_required: () =>
          `Dit verzoek vereist een reden bij afwijzing, en uw antwoord bevatte geen opmerking. Gebruik opnieuw de knop ${quote(failButton)} en schrijf de reden boven de gemarkeerde regel.`,
      },
      nothingChanged: 'Er is niets gewijzigd in de release-engine.',
      reasonCode: (reason) => `Redencode: ${reason}`,
      yourEmail: (messageId) => `Uw e-mail: ${messageId}`,
    },
    decided: {
      subject: ({ request }) => `Beslist: ${request.title}`,
      headline: ({ request, decision }) =>
        `De taak ${quote(request.title)} (taak ${request.taskId}) is ${DONE[decision.action]} door ${decision.actor} op ${decision.decidedAt}.`,
      noAnswerNeeded:
        'Uw antwoord is niet meer nodig: de antwoordlinks in uw verzoekmail werken niet meer.',
    },
    confirmation: {
      subject: ({ request, action, engineResult }) =>
        engineResult === 'done'
          ? `${action === 'complete' ? 'Voltooid' : 'Mislukt'}: ${request.title}`
          : `Vastgelegd: ${request.title}`,
      headline: ({ request, action, engineResult }) =>
        engineResult === 'done'
          ? `Uw antwoord is toegepast: de taak ${quote(request.title)} (taak ${request.taskId}) is in de release-engine gemarkeerd als ${MARKED[action]}.`
          : `Uw antwoord op ${quote(request.title)} (taak ${request.taskId}) is vastgelegd; volgens de release-engine was de taak al afgesloten.`,
      yourComment: 'Uw opmerking:',
      notYou: 'Hebt u dit antwoord niet verstuurd, laat het uw releaseteam dan direct weten.',
    },
  },
  timers: {
    reminder: {
      subjectPrefix: 'Herinnering: actie vereist',
      lead: 'Herinnering: deze taak wacht nog op uw beslissing.',
    },
    escalation: {
      subjectPrefix: 'Actie vereist (geëscaleerd)',
      lead: (after) =>
        `U bent aan dit verzoek toegevoegd omdat niemand binnen ${after} heeft geantwoord.`,
    },
  },
};

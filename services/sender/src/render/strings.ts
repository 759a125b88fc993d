import type { Notice, NoticeRequest, RejectionReason } from '@rc/contracts';
import type { TemplateLocale } from '@rc/mail';
import { de } from './locales/de';
import { en } from './locales/en';
import { es } from './locales/es';
import { fr } from './locales/fr';
import { ja } from './locales/ja';
import { nl } from './locales/nl';
import { pt } from './locales/pt';

/**
 * Words of the request email. SPEC 3.3: the buttons read `Complete task` and `Fail task` in
 * English and are translated in the other locales, Complete first. The reply keywords each
 * locale suggests must be in @rc/mail's DEFAULT_ACTION_VOCABULARY (a test checks it), or a
 * plain reply that follows our own advice would not be understood.
 */
export interface RequestEmailStrings {
  subjectPrefix: string;
  /** the two anchor texts; short enough for one line on a 360 px phone (render-chromium test) */
  completeButton: string;
  failButton: string;
  greeting: (name: string) => string;
  intro: string;
  task: string;
  release: string;
  description: string;
  taskId: string;
  expires: string;
  /** the plain-text line that names a button and says what it does */
  explainButton: (label: string, explained: string) => string;
  completeExplained: string;
  failExplained: string;
  howButtonsWork: string;
  clickIsNotEnough: string;
  plainReply: string;
  /** The words `plainReply` suggests, in the order it names them: complete, then fail. */
  replyKeywords: { complete: string; fail: string };
  footer: string;
}

export type RejectionFacts = Extract<Notice, { type: 'rejection' }>;
export type ConfirmationFacts = Extract<Notice, { type: 'confirmation' }>;
export type DecidedFacts = Extract<Notice, { type: 'decided' }>;

/**
 * Words of the notices: why an answer was not applied, and that it was. Plain text only: they
 * answer a person's own email, and a client threads them under it.
 */
export interface NoticeStrings {
  greeting: string;
  footer: string;
  rejection: {
    subject: (request: NoticeRequest | undefined) => string;
    /** the first sentence: which email was not applied */
    headline: (request: NoticeRequest | undefined) => string;
    /**
     * One per reason code, so a new code in @rc/contracts does not compile until every locale
     * explains it. Silent reasons (robots, floods, strangers) are normally never sent; they
     * are explained anyway, without revealing the rule that caught the email.
     */
    explanations: Record<RejectionReason, (facts: RejectionFacts) => string>;
    nothingChanged: string;
    /** the stable code, untranslated, so support can match it to the inbound log */
    reasonCode: (reason: RejectionReason) => string;
    yourEmail: (messageId: string) => string;
  };
  /** to the other assignees of a request with a quorum: who decided it, when */
  decided: {
    subject: (facts: DecidedFacts) => string;
    headline: (facts: DecidedFacts) => string;
    noAnswerNeeded: string;
  };
  confirmation: {
    subject: (facts: ConfirmationFacts) => string;
    headline: (facts: ConfirmationFacts) => string;
    yourComment: string;
    notYou: string;
  };
}

/**
 * The first sentence and subject prefix of the emails the timers send (services/sender/src/
 * timers/): the request email again, for a reminder or for assignees added by an escalation.
 */
export interface TimerEmailStrings {
  reminder: { subjectPrefix: string; lead: string };
  /** `after` is the request's escalateAfter as given, e.g. `1d` */
  escalation: { subjectPrefix: string; lead: (after: string) => string };
}

/** Everything one language says. */
export interface LocaleStrings {
  request: RequestEmailStrings;
  notice: NoticeStrings;
  /** absent: English (a locale being translated falls back rather than failing to compile) */
  timers?: TimerEmailStrings;
}

/** Keyed like @rc/mail's answer template, so a locale there without one here fails to compile. */
export const LOCALES: Record<TemplateLocale, LocaleStrings> = { en, de, fr, es, nl, pt, ja };

export const REQUEST_EMAIL_STRINGS = Object.fromEntries(
  Object.entries(LOCALES).map(([locale, strings]) => [locale, strings.request]),
) as Record<TemplateLocale, RequestEmailStrings>;

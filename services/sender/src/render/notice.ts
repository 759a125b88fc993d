import type { Notice } from '@rc/contracts';
import { templateLocale } from '@rc/mail';
import { singleLine } from './single-line';
import {
  LOCALES,
  type ConfirmationFacts,
  type DecidedFacts,
  type NoticeStrings,
  type RejectionFacts,
} from './strings';

export interface RenderedNotice {
  subject: string;
  text: string;
}

/**
 * A notice from the facts the verifier or task-updater queued, in the request's locale. A
 * rejection that names no request is in English: nothing says which language its sender reads.
 */
export function renderNotice(notice: Notice): RenderedNotice {
  const strings = LOCALES[templateLocale(notice.request?.locale)].notice;
  const rendered =
    notice.type === 'rejection'
      ? rejection(notice, strings)
      : notice.type === 'decided'
        ? decided(notice, strings)
        : confirmation(notice, strings);
  return {
    subject: singleLine(rendered.subject),
    text: [strings.greeting, '', ...rendered.body, '', strings.footer, ''].join('\n'),
  };
}

interface NoticeParts {
  subject: string;
  body: string[];
}

function rejection(facts: RejectionFacts, strings: NoticeStrings): NoticeParts {
  const words = strings.rejection;
  return {
    subject: words.subject(facts.request),
    body: [
      words.headline(facts.request),
      '',
      words.explanations[facts.reason](facts),
      '',
      words.nothingChanged,
      '',
      words.reasonCode(facts.reason),
      ...(facts.answerMessageId ? [words.yourEmail(facts.answerMessageId)] : []),
    ],
  };
}

function decided(facts: DecidedFacts, strings: NoticeStrings): NoticeParts {
  const words = strings.decided;
  return { subject: words.subject(facts), body: [words.headline(facts), '', words.noAnswerNeeded] };
}

function confirmation(facts: ConfirmationFacts, strings: NoticeStrings): NoticeParts {
  const words = strings.confirmation;
  return {
    subject: words.subject(facts),
    body: [
      words.headline(facts),
      ...(facts.comment ? ['', words.yourComment, facts.comment] : []),
      '',
      words.notYou,
    ],
  };
}

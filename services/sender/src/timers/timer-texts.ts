import { templateLocale } from '@rc/mail';
import { en } from '../render/locales/en';
import { LOCALES, type TimerEmailStrings } from '../render/strings';

/** The timers' words in the request's locale; English where a locale has none yet. */
export function timerStrings(locale: string | undefined): TimerEmailStrings {
  const strings = LOCALES[templateLocale(locale)].timers ?? en.timers;
  if (!strings) throw new Error('the English locale lacks the timers section');
  return strings;
}

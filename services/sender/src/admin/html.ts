import { maskAnswerTokens } from '@rc/tokens';

/**
 * Server-rendered HTML for the admin pages, escaped by construction: every interpolated value is
 * text unless it is itself the result of `html`. Nothing the product stores (titles, subjects,
 * names, comments, all written by engines or by whoever sends mail) is ever markup.
 */

const MARKUP = Symbol('markup');

export interface Html {
  readonly [MARKUP]: string;
}

export type HtmlValue = Html | string | number | null | undefined | false | readonly HtmlValue[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return maskAnswerTokens(text).replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object') return (value as Html)[MARKUP];
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return { [MARKUP]: out };
}

export function markupOf(fragment: Html): string {
  return fragment[MARKUP];
}

/** `2030-01-01T12:00:00.000Z` as `2030-01-01 12:00:00Z`: UTC, as the logs and the API say it. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

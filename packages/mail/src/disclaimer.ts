/**
 * Legal disclaimers that mail gateways and corporate clients (HCL Notes, Exchange transport
 * rules) append below what a person wrote. They are nobody's comment on a task. A disclaimer is
 * recognised by how such notices open, at the start of a line, in the languages of our clients;
 * everything from there on is dropped. Only below the person's first line: a comment that starts
 * like a disclaimer is left alone.
 */
// prettier-ignore
const DISCLAIMER_START = new RegExp(
  `^\\s*(?:${[
    /* EN */ 'confidentiality notice', 'disclaimer\\s*:', 'legal notice', 'privileged (?:and|&) confidential',
             'this (?:e-?mail|message|communication)(?: and any (?:attachments?|files)(?: (?:to|transmitted with) it)?)? (?:is|are|may (?:be|contain)|contains?) (?:confidential|privileged|intended)',
             'the information (?:contained )?in this (?:e-?mail|message|communication)',
    /* DE */ 'diese (?:e-?mail|nachricht)(?: und (?:ihre|alle) anhänge)? (?:enthält|kann|ist) (?:vertraulich|rechtlich)',
             'vertraulichkeitshinweis', 'haftungsausschluss',
    /* FR */ "ce (?:message|courriel|mail)(?: et (?:ses|toutes les) pièces jointes)? (?:est|sont|peut|contient)(?: [a-zé]+)? confidenti",
    /* ES */ 'este (?:mensaje|correo)(?: electrónico)?(?: y sus anexos)? (?:es|contiene|puede contener) (?:información )?confidencial',
    /* IT */ 'questo messaggio(?: e i suoi allegati)? (?:è|sono|contiene|può contenere) (?:informazioni )?(?:riservat|confidenzial)',
    /* NL */ 'dit (?:e-?mail)?bericht(?: en de bijlagen)? (?:is|kan) (?:vertrouwelijk|uitsluitend)',
  ].join('|')})`,
  'iu',
);

/** Index of the first disclaimer line after the first line, or lines.length. */
export function disclaimerStart(lines: readonly string[]): number {
  for (let index = 1; index < lines.length; index++) {
    if (DISCLAIMER_START.test(lines[index] ?? '')) return index;
  }
  return lines.length;
}

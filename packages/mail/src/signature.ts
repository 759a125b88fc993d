/**
 * Signatures and the footers mail apps add on their own ("Sent from my iPhone"). Neither is
 * something the person wrote about the task, so neither belongs in a comment.
 */

/** RFC 3676 §4.3 signature separator "-- " (many clients strip the trailing space). */
export function isSignatureSeparator(line: string): boolean {
  return SIGNATURE_SEPARATOR.test(line.trimEnd());
}

/**
 * A mail app's footer, alone on its line, in the app's language. Outlook and Windows Mail write
 * their link into the text part as `Mail<https://…>`; the link is ignored when matching. Short
 * and anchored, so a sentence that merely starts like a footer is never taken for one.
 */
export function isClientFooter(line: string): boolean {
  const bare = line
    .replace(MARKDOWN_LINK, '$1')
    .replace(LINK_TARGET, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(TRAILING_STOP, '');
  return bare.length > 0 && bare.length <= 80 && CLIENT_FOOTER.test(bare);
}

const SIGNATURE_SEPARATOR = /^-- ?$/;

/**
 * `<https://…>` as Outlook and Windows Mail render a link in their text/plain part, and
 * `( https://… )` as Superhuman does.
 */
const LINK_TARGET = /<(?:https?|mailto):[^>\s]*>|\(\s*https?:\/\/[^)\s]*\s*\)/gi;
/** `[Proton Mail](https://proton.me/…)`: Proton's text part writes its footer link as Markdown. */
const MARKDOWN_LINK = /\[([^\]\n]{1,40})\]\((?:https?|mailto):[^)\s]*\)/gi;
/** Samsung, BlackBerry and K-9 end their footers with a full stop. */
const TRAILING_STOP = /[.!]+$/;

const DEVICE = String.raw`[\p{L}\p{N} .-]{1,40}`;

const CLIENT_FOOTER = new RegExp(
  [
    // iOS and macOS Mail, Android mail apps
    String.raw`^sent from my ${DEVICE}$`,
    String.raw`^von meinem ${DEVICE} gesendet$`,
    String.raw`^envoyé de mon ${DEVICE}$`,
    String.raw`^enviado desde mi ${DEVICE}$`,
    String.raw`^(?:verzonden|verstuurd) (?:vanaf|met) mijn ${DEVICE}$`,
    String.raw`^enviado d[oe] meu ${DEVICE}$`,
    String.raw`^inviato da(?:l mio)? ${DEVICE}$`,
    String.raw`^skickat från min ${DEVICE}$`,
    String.raw`^отправлено с ${DEVICE}$`,
    String.raw`^iphoneから送信$`,
    String.raw`^发自我的\s?iphone$`,
    String.raw`^從我的\s?iphone傳送$`,
    String.raw`^wysłane z (?:mojego )?${DEVICE}$`,
    String.raw`^odesláno z (?:mého )?${DEVICE}$`,
    String.raw`^(?:iphone|ipad)['’](?:umdan|imden) gönderildi$`,
    String.raw`^(?:iphone|ipad|galaxy|갤럭시)에서 보냄$`,
    // Second-wave apps: Proton, Spark, Airmail, Superhuman, Zoho, GMX/Web.de, Mail.ru
    String.raw`^sent (?:with|from|via|using) (?:proton mail|protonmail|spark|airmail|superhuman|zoho mail|blackberry(?: hub)?)(?: (?:secure email|mobile|for (?:ios|android|mac)))?$`,
    String.raw`^gesendet mit der (?:gmx|web\.de) mail app$`,
    String.raw`^отправлено из (?:мобильной )?почты mail\.ru(?: для (?:android|ios))?$`,
    // Windows Mail, Yahoo, Gmail, AOL
    String.raw`^sent from (?:mail|outlook|yahoo mail|gmail|aol mobile mail)(?: (?:for|on) [\p{L}\p{N} .-]{1,30})?$`,
    String.raw`^gesendet von (?:meinem )?${DEVICE}$`,
    String.raw`^envoyé (?:depuis|à partir de) (?:courrier|yahoo mail|outlook)(?: pour [\p{L}\p{N} .-]{1,30})?$`,
    String.raw`^enviado desde (?:correo|yahoo mail|outlook)(?: para [\p{L}\p{N} .-]{1,30})?$`,
    String.raw`^verzonden (?:vanuit|met|via) (?:e-mail|mail|yahoo mail|outlook)(?: voor [\p{L}\p{N} .-]{1,30})?$`,
    // Outlook for iOS and Android
    String.raw`^get outlook for (?:ios|android|mac|windows)$`,
    String.raw`^outlook für (?:ios|android) (?:herunterladen|beziehen)$`,
    String.raw`^obtenir outlook pour (?:ios|android)$`,
    String.raw`^obtener outlook para (?:ios|android)$`,
    String.raw`^obter o outlook para (?:ios|android)$`,
    String.raw`^outlook voor (?:ios|android) downloaden$`,
  ].join('|'),
  'iu',
);

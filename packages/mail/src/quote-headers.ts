/**
 * The lines mail clients write above the history they include in a reply, in the languages
 * they ship: separators ("-----Original Message-----", Zoho's "==== Forwarded message ====",
 * BlackBerry's bare "Original Message"), header blocks ("From:/Sent:", "Gesendet:/Von:" in
 * either order, HCL Notes' "From:/To:/Date:") and attribution lines ("On … wrote:", "---- On …
 * wrote ----", "Zitat von …:", "… napsal(a):"). Patterns only; quoted-history.ts decides what
 * they mean for the lines around them.
 */

/** Runs of dashes as clients draw them: ASCII, Proton's U+2010, en/em dashes, Zoho's `=`. */
const DASHES = String.raw`[-‐‑–—=_]{2,}`;

const ORIGINAL_TITLES = [
  'original message',
  'original',
  'reply message',
  'ursprüngliche nachricht',
  'originalnachricht',
  'antwort nachricht',
  "message d'origine",
  'mensaje original',
  'oorspronkelijk bericht',
  'origineel bericht',
  'mensagem original',
  'messaggio originale',
  'wiadomość oryginalna',
  'oryginalna wiadomość',
  'ursprungligt meddelande',
  'původní zpráva',
  'özgün ileti',
  'orijinal mesaj',
  '원본 메시지',
  '原始邮件',
  '原始郵件',
  '元のメッセージ',
  'исходное сообщение',
  'оригинальное сообщение',
].join('|');

const FORWARD_TITLES = [
  'forwarded message',
  'weitergeleitete nachricht',
  'message transféré',
  'mensaje reenviado',
  'doorgestuurd bericht',
  'mensagem encaminhada',
  'messaggio inoltrato',
  'przekazana wiadomość',
  'vidarebefordrat meddelande',
  'přeposlaná zpráva',
  'iletilen ileti',
  '전달된 메시지',
  '转发的邮件',
  '転送されたメッセージ',
  'пересылаемое сообщение',
].join('|');

/** "-----Original Message-----", "‐‐‐‐‐‐‐ Original Message ‐‐‐‐‐‐‐", "==== Forwarded message ====", Apple's forward line. */
const SEPARATOR_LINE = new RegExp(
  [
    String.raw`^${DASHES}\s*(?:${ORIGINAL_TITLES}|${FORWARD_TITLES})\s*${DASHES}$`,
    String.raw`^(?:begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|inicio del mensaje reenviado|begin doorgestuurd bericht|início da mensagem encaminhada)\s*:$`,
  ].join('|'),
  'iu',
);

/** BlackBerry Hub's "Original Message" without dashes: history only when a header block follows. */
const BARE_TITLE = new RegExp(String.raw`^(?:${ORIGINAL_TITLES})$`, 'iu');

export function isSeparatorLine(line: string): boolean {
  return SEPARATOR_LINE.test(line.trim());
}

export function isBareSeparatorTitle(line: string): boolean {
  return BARE_TITLE.test(line.replace(/\s+/gu, ' ').trim());
}

/** "From:" of a header block in the clients' languages (Notes pads with spaces or a tab). */
const FROM_FIELD =
  /^\*?(?:from|von|de|van|da|fra|från|od|от|kimden|lähettäjä|feladó|nadawca|mittente|差出人|发件人|寄件者|보낸 사람)\s*\*?[:：]\*?\s*\S/iu;
/** "Sent:"/"Date:" of a header block. */
const DATE_FIELD =
  /^\*?(?:sent|date|gesendet|datum|envoyé|enviado|enviada|fecha|verzonden|inviato|data|skickat|sendt|wysłano|odesláno|отправлено|дата|gönderildi|gönderme tarihi|tarih|lähetetty|elküldve|送信日時|日付|发送时间|發送時間|日期|时间|보낸 날짜)\s*\*?[:：]/iu;

/**
 * A header block of two or more fields starting at `index`: a From field with a date field in
 * the next lines, or a date field first with From below (GMX and Web.de write "Gesendet:"
 * above "Von:"). One field alone is a sentence someone may write; the pair is a client's.
 */
export function isHeaderBlockAt(lines: readonly string[], index: number): boolean {
  const line = (lines[index] ?? '').trim();
  const isFrom = FROM_FIELD.test(line);
  if (!isFrom && !DATE_FIELD.test(line)) return false;
  const partner = isFrom ? DATE_FIELD : FROM_FIELD;
  for (let next = index + 1; next <= index + 4 && next < lines.length; next++) {
    if (partner.test((lines[next] ?? '').trim())) return true;
  }
  return false;
}

/** First words of attribution lines: On (EN), Am (DE), Le (FR), El (ES), Op (NL), Em (PT), Il (IT). */
export const ATTRIBUTION_START = /^(?:on|am|le|el|op|em|il)\s/i;

/** Whole attribution lines in the languages above; Gmail wraps long ones, so up to three lines are joined. */
export const ATTRIBUTION = new RegExp(
  [
    String.raw`^on\s.*\bwrote\s*:$`,
    String.raw`^am\s.*\b(?:schrieb|geschrieben)\b.*:$`,
    String.raw`^le\s.*\ba écrit\s*:$`,
    String.raw`^el\s.*\bescribió.*:$`,
    String.raw`^op\s.*\b(?:schreef|geschreven)\b.*:$`,
    String.raw`^em\s.*\bescreveu.*:$`,
    String.raw`^il\s.*\bha scritto\b.*:$`,
  ].join('|'),
  'iu',
);

const VERBS = [
  String.raw`\bwrote`,
  String.raw`\bwrites`,
  String.raw`\bschrieb`,
  String.raw`\bgeschrieben`,
  'a écrit',
  'escribió',
  'schreef',
  'geschreven',
  'escreveu',
  'ha scritto',
  'написал',
  'написала',
  'написал\\(а\\)',
  'писали',
  'skrev',
  'kirjoitti',
  'napisał',
  'napsal',
  'píše',
  'yazdı',
  '작성',
  '書きました',
  'のメール',
  '写道',
  '寫道',
].join('|');

/** "Alice <a@b> wrote:", "Release Bot schrieb am …:", "… napsal(a):", "… 写道：": a verb of writing, then a colon. */
export const WRITING_VERB = new RegExp(String.raw`(?:${VERBS})[^:：]{0,60}[:：]$`, 'iu');

/**
 * Zoho's "---- On … wrote ----" and old Android clients' "---- Alice wrote ----": the
 * attribution between dashes, with the history below it unmarked.
 */
const DASHED_ATTRIBUTION = new RegExp(String.raw`^${DASHES}\s*(.{3,300}?)\s*${DASHES}$`, 'u');
const VERB_INSIDE = new RegExp(String.raw`(?:${VERBS})`, 'iu');

export function isDashedAttribution(line: string): boolean {
  const inner = DASHED_ATTRIBUTION.exec(line.trim())?.[1];
  return inner !== undefined && VERB_INSIDE.test(inner);
}

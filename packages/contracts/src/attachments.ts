import { z } from 'zod';

/**
 * What a request's attachments may weigh, decoded, all together. Graph's `sendMail` takes the
 * whole MIME message base64-encoded in one request of about 4 MB: 2 MiB of files grow to
 * ~2.8 MB in MIME and ~3.8 MB in that request, so one cap holds for SMTP and Graph alike (and
 * stays far below the 10 MB many SMTP servers accept).
 */
export const ATTACHMENTS_MAX_TOTAL_BYTES = 2 * 1024 * 1024;
export const ATTACHMENTS_MAX_COUNT = 10;

/** Bytes a canonical base64 text (no line breaks) decodes to. */
export function base64DecodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

/**
 * One file for the request email, as the engine sends it. Name and type are sanitised by the
 * sender before they reach a MIME header; the content is sent as it is, byte for byte.
 */
export const attachmentSchema = z.object({
  filename: z.string().trim().min(1).max(255),
  /** an allow-listed type is kept; anything else goes out as application/octet-stream */
  contentType: z.string().trim().max(255).optional(),
  /** RFC 4648 base64 without line breaks */
  contentBase64: z.base64(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const attachmentsSchema = z
  .array(attachmentSchema)
  .max(ATTACHMENTS_MAX_COUNT)
  .refine(
    (files) =>
      files.reduce((sum, file) => sum + base64DecodedLength(file.contentBase64), 0) <=
      ATTACHMENTS_MAX_TOTAL_BYTES,
    `attachments may hold at most ${ATTACHMENTS_MAX_TOTAL_BYTES} bytes (2 MiB) decoded, all files together`,
  );

/**
 * Types kept as the engine named them: documents, logs, archives and images a release team
 * sends. Anything else (HTML, scripts, executables, a malformed value) goes out as
 * application/octet-stream, which every client offers to save rather than to render or run.
 */
const ALLOWED_CONTENT_TYPES = new Set([
  'text/plain',
  'text/csv',
  'text/markdown',
  'application/pdf',
  'application/json',
  'application/xml',
  'text/xml',
  'application/x-yaml',
  'application/yaml',
  'application/zip',
  'application/gzip',
  'application/x-gzip',
  'application/x-tar',
  'image/png',
  'image/jpeg',
  'image/gif',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
]);

const OCTET_STREAM = 'application/octet-stream';

/** The bare type (`text/plain; charset=…` → `text/plain`) when allowed, else octet-stream. */
export function sanitizeContentType(contentType: string | undefined): string {
  const bare = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return ALLOWED_CONTENT_TYPES.has(bare) ? bare : OCTET_STREAM;
}

/**
 * A file name safe in a MIME header and on the reader's disk: the last path segment only (no
 * `../`, no `C:\`), no control characters (CR/LF would inject headers), none of the characters
 * Windows refuses, no leading dots (hidden files), at most 100 characters with the extension kept.
 */
export function sanitizeFilename(filename: string): string {
  const lastSegment = filename.split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*\u2028\u2029]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '');
  if (!cleaned || /^_*$/.test(cleaned)) return 'attachment';
  if (cleaned.length <= 100) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, 100 - extension.length) + extension;
}

/** An attachment as it is stored and sent: name and type sanitised, the bytes untouched. */
export function sanitizeAttachment(file: Attachment): Required<Attachment> {
  return {
    filename: sanitizeFilename(file.filename),
    contentType: sanitizeContentType(file.contentType),
    contentBase64: file.contentBase64,
  };
}

/** What the request record shows of its attachments: no bytes. */
export function attachmentSummaries(
  files: readonly Attachment[],
): { filename: string; contentType: string; size: number }[] {
  return files.map((file) => {
    const safe = sanitizeAttachment(file);
    return {
      filename: safe.filename,
      contentType: safe.contentType,
      size: base64DecodedLength(file.contentBase64),
    };
  });
}

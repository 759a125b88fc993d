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

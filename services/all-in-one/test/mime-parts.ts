/**
 * The leaf parts of a MIME message (RFC 2046 multipart, nested), each with its header section
 * and its body as transferred. Small on purpose: the attachment tests compare the bytes a
 * mailbox holds, and must not trust the parser the product itself uses.
 */
export interface MimePart {
  headers: string;
  body: string;
}

export function mimeParts(raw: string): MimePart[] {
  const split = raw.indexOf('\r\n\r\n');
  const headers = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split + 4);
  const unfolded = headers.replace(/\r\n[ \t]+/g, ' ');
  const contentType = /^content-type:(.*)$/im.exec(unfolded)?.[1] ?? '';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!/multipart\//i.test(contentType) || !boundary) return [{ headers: unfolded, body }];
  const pieces = body.split(`--${boundary}`);
  // before the first delimiter: the preamble; after the last ("--"): the epilogue
  return pieces.slice(1, -1).flatMap((piece) => mimeParts(piece.replace(/^\r\n/, '')));
}

/** The decoded bytes of every part sent as an attachment, in order. */
export function attachedBytes(raw: Buffer): { headers: string; content: Buffer }[] {
  return mimeParts(raw.toString('latin1'))
    .filter((part) => /^content-disposition:\s*attachment/im.test(part.headers))
    .map((part) => {
      if (!/^content-transfer-encoding:\s*base64/im.test(part.headers))
        throw new Error(`attachment not in base64:\n${part.headers}`);
      return {
        headers: part.headers,
        content: Buffer.from(part.body.replace(/\s+/g, ''), 'base64'),
      };
    });
}

/**
 * A response body, whole, or with `maxBytes` only its first `maxBytes + 1` bytes: the rest is
 * never downloaded (the stream is cancelled), and a caller that gets more than `maxBytes` back
 * knows the body was longer. Graph has no range requests on `$value`, and a mailbox can hold a
 * 150 MB message that the poller needs only the header section of.
 */
export async function readBody(response: Response, maxBytes?: number): Promise<Buffer> {
  if (maxBytes === undefined || !response.body) return Buffer.from(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    while (length <= maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
    }
  } finally {
    if (length > maxBytes) await reader.cancel().catch(() => undefined);
    else reader.releaseLock();
  }
  const body = Buffer.concat(chunks, length);
  return length > maxBytes ? Buffer.from(body.subarray(0, maxBytes + 1)) : body;
}

import { describe, expect, it } from 'vitest';
import { readBody } from '../src/graph-body';

/** A 100 MB body made 64 KiB at a time as the reader pulls, counting the pulls. */
function hugeResponse(): { response: Response; pulls: () => number; cancelled: () => boolean } {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  let pulls = 0;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls++;
        if (pulls > 1600) controller.close();
        else controller.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { response: new Response(body), pulls: () => pulls, cancelled: () => cancelled };
}

describe('readBody', () => {
  it('with maxBytes, reads one byte past the limit and cancels the rest of the download', async () => {
    const huge = hugeResponse();
    const bytes = await readBody(huge.response, 200_000);
    expect(bytes.length).toBe(200_001);
    // 200 KB is 4 chunks of 64 KiB: the other ~1,600 are never produced
    expect(huge.pulls()).toBeLessThan(10);
    expect(huge.cancelled()).toBe(true);
  });

  it('a body within the limit comes whole, and without a limit the whole body is read', async () => {
    expect((await readBody(new Response('hello'), 5)).toString()).toBe('hello');
    const huge = hugeResponse();
    expect((await readBody(huge.response)).length).toBe(1600 * 64 * 1024);
  });
});

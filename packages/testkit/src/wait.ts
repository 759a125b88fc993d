import net from 'node:net';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Connects, optionally writes `send`, and resolves with what the server said once `expect`
 * matches. Rejects on connection errors, early close or after `timeoutMs`.
 */
export function probeTcp(
  port: number,
  expect: RegExp,
  opts: { send?: string; timeoutMs?: number } = {},
): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? 1_000;
  return new Promise((resolve, reject) => {
    let received = '';
    let settled = false;
    const socket = net.connect({ host: '127.0.0.1', port });
    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(received);
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `no ${String(expect)} from 127.0.0.1:${port} within ${timeoutMs} ms (got ${JSON.stringify(received)})`,
          ),
        ),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      if (opts.send !== undefined) socket.write(opts.send);
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (expect.test(received)) finish(null);
    });
    socket.once('error', (err) => finish(err));
    socket.once('close', () =>
      finish(
        new Error(`127.0.0.1:${port} closed the connection (got ${JSON.stringify(received)})`),
      ),
    );
  });
}

/**
 * Retries `attempt` every `intervalMs` until it resolves, `abort` returns an Error, or the
 * deadline passes; the last attempt's error goes into the timeout message.
 */
export async function retryUntil<T>(
  what: string,
  attempt: () => Promise<T>,
  opts: { timeoutMs: number; intervalMs?: number; abort?: () => Error | undefined },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const aborted = opts.abort?.();
    if (aborted) throw aborted;
    try {
      return await attempt();
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`${what}: not ready after ${opts.timeoutMs} ms (${reason})`);
    }
    await sleep(opts.intervalMs ?? 50);
  }
}

/**
 * Polls `probe` every `intervalMs` until it returns something other than undefined, and
 * returns that; rejects naming `what` once `timeoutMs` has passed.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

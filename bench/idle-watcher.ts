import net from 'node:net';

/**
 * The plainest IDLE client (RFC 2177) over a bare socket: LOGIN, SELECT, IDLE, and the time of
 * every untagged EXISTS. The reference for pickup latency: what the mail server itself takes
 * to tell a waiting connection about new mail, measured beside the product in the same run.
 * With `checkEveryMs` it also does what the poller does with RC_IMAP_CHECK_INTERVAL: DONE,
 * NOOP, IDLE again at that interval.
 */
export interface IdleWatcher {
  /** Date.now() of each EXISTS that grew the folder, in order */
  readonly existsAt: number[];
  close(): void;
}

export async function watchIdle(
  server: { host: string; port: number },
  login: { user: string; pass: string },
  options: { checkEveryMs?: number } = {},
): Promise<IdleWatcher> {
  const socket = net.connect(server.port, server.host);
  socket.setNoDelay(true);
  const existsAt: number[] = [];
  let known = -1;
  let buffered = '';
  /** waiters for a tagged completion (`tag OK…`) or for IDLE's continuation (`+`) */
  const waiting = new Map<string, (line: string) => void>();
  socket.on('data', (chunk: Buffer) => {
    const now = Date.now();
    buffered += chunk.toString('latin1');
    const lines = buffered.split('\r\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (/^\* \d+ EXPUNGE/.test(line)) known -= 1;
      const exists = /^\* (\d+) EXISTS/.exec(line);
      if (exists) {
        const count = Number(exists[1]);
        if (known >= 0 && count > known) existsAt.push(now);
        known = count;
      }
      const key = line.startsWith('+') ? '+' : line.split(' ', 1)[0];
      const waiter = key === undefined ? undefined : waiting.get(key);
      if (waiter && key) {
        waiting.delete(key);
        waiter(line);
      }
    }
  });
  socket.on('error', () => undefined);
  let tags = 0;
  const answer = (key: string, write: string) =>
    new Promise<string>((resolve) => {
      waiting.set(key, resolve);
      socket.write(write);
    });
  const command = async (text: string) => {
    const tag = `a${++tags}`;
    const done = await answer(tag, `${tag} ${text}\r\n`);
    if (!done.startsWith(`${tag} OK`)) throw new Error(`IMAP ${text.split(' ')[0]}: ${done}`);
  };
  let idleTag = '';
  const idle = async () => {
    idleTag = `a${++tags}`;
    await answer('+', `${idleTag} IDLE\r\n`);
  };
  await new Promise<void>((resolve, reject) => {
    socket.once('data', () => resolve());
    socket.once('error', reject);
  });
  const quote = (value: string) => `"${value.replace(/(["\\])/g, '\\$1')}"`;
  await command(`LOGIN ${quote(login.user)} ${quote(login.pass)}`);
  await command('SELECT INBOX');
  if (known < 0) known = 0;
  await idle();
  let closed = false;
  const checks = options.checkEveryMs
    ? setInterval(() => {
        if (closed || waiting.size > 0) return; // the previous check is still under way
        void answer(idleTag, 'DONE\r\n')
          .then(() => command('NOOP'))
          .then(idle)
          .catch(() => undefined);
      }, options.checkEveryMs)
    : undefined;
  return {
    existsAt,
    close: () => {
      closed = true;
      clearInterval(checks);
      socket.end(`DONE\r\na${++tags} LOGOUT\r\n`);
      socket.destroy();
    },
  };
}

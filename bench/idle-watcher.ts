import net from 'node:net';

/**
 * The plainest IDLE client (RFC 2177) over a bare socket: LOGIN, SELECT, IDLE, and the time of
 * every untagged EXISTS. The reference for pickup latency: what the mail server itself takes
 * to tell an IDLE connection about new mail, measured beside the product in the same run.
 */
export interface IdleWatcher {
  /** Date.now() of each EXISTS that grew the folder, in order */
  readonly existsAt: number[];
  close(): void;
}

export async function watchIdle(
  server: { host: string; port: number },
  login: { user: string; pass: string },
): Promise<IdleWatcher> {
  const socket = net.connect(server.port, server.host);
  socket.setNoDelay(true);
  const existsAt: number[] = [];
  let known = -1;
  let buffered = '';
  let idling: (() => void) | undefined;
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
      if (line.startsWith('+ ') && idling) {
        idling();
        idling = undefined;
      }
    }
  });
  socket.on('error', () => undefined);
  const quote = (value: string) => `"${value.replace(/(["\\])/g, '\\$1')}"`;
  const command = (tag: string, text: string) =>
    new Promise<void>((resolve, reject) => {
      const onData = () => {
        if (buffered.includes(`${tag} OK`) || pendingLines.some((l) => l.startsWith(`${tag} `)))
          finish();
      };
      const pendingLines: string[] = [];
      const listener = (chunk: Buffer) => {
        pendingLines.push(...chunk.toString('latin1').split('\r\n'));
        onData();
      };
      const finish = () => {
        socket.off('data', listener);
        const done = pendingLines.find((l) => l.startsWith(`${tag} `)) ?? '';
        if (done.startsWith(`${tag} OK`)) resolve();
        else reject(new Error(`IMAP ${text.split(' ')[0]}: ${done}`));
      };
      socket.on('data', listener);
      socket.write(`${tag} ${text}\r\n`);
    });
  await new Promise<void>((resolve, reject) => {
    socket.once('data', () => resolve());
    socket.once('error', reject);
  });
  await command('a1', `LOGIN ${quote(login.user)} ${quote(login.pass)}`);
  await command('a2', 'SELECT INBOX');
  if (known < 0) known = 0;
  await new Promise<void>((resolve) => {
    idling = resolve;
    socket.write('a3 IDLE\r\n');
  });
  return {
    existsAt,
    close: () => {
      socket.end('DONE\r\na4 LOGOUT\r\n');
      socket.destroy();
    },
  };
}

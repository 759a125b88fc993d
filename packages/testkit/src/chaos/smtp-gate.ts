import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SmtpGate {
  port: number;
  /** refuses every connection for `ms` (and cuts the open ones) */
  refuseFor(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A TCP gate in front of the test SMTP server. Refusing, it greets each connection with
 * `421` (RFC 5321 §3.8: service not available, the client must try later) and closes it, and it
 * cuts the pooled connections the sender holds, so no message slips through the window.
 */
export async function startSmtpGate(upstreamPort: number): Promise<SmtpGate> {
  let refusing = false;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (refusing) {
      client.end('421 4.3.2 chaos: service not available, try again later\r\n');
      return;
    }
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(socket);
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        open.delete(socket);
        other.destroy();
      });
      socket.pipe(other);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async refuseFor(ms) {
      refusing = true;
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, ms));
      refusing = false;
    },
    async stop() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

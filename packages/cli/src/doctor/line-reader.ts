import type { Duplex } from 'node:stream';

/** Reads a text protocol's reply lines from a socket, each wait bounded. */
export interface LineReader {
  /**
   * The lines received since the last wait, once `complete(lines)` holds; undefined when the time
   * is up or the peer left first.
   */
  until(complete: (lines: string[]) => boolean, timeoutMs: number): Promise<string[] | undefined>;
  /** stops reading (before the socket is handed to TLS) */
  detach(): void;
}

export function readLines(socket: Duplex): LineReader {
  let text = '';
  let closed = false;
  let wake: (() => void) | undefined;
  const onData = (chunk: Buffer) => {
    text += chunk.toString('latin1');
    wake?.();
  };
  const onEnd = () => {
    closed = true;
    wake?.();
  };
  socket.on('data', onData);
  socket.on('close', onEnd);
  socket.on('error', onEnd);
  const lines = () => text.split(/\r?\n/).slice(0, -1);
  return {
    until(complete, timeoutMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => finish(false), timeoutMs);
        function finish(done: boolean) {
          clearTimeout(timer);
          wake = undefined;
          if (!done) return resolve(undefined);
          const read = lines();
          text = text.slice(text.lastIndexOf('\n') + 1); // the next wait sees only newer lines
          resolve(read);
        }
        wake = () => {
          if (complete(lines())) finish(true);
          else if (closed) finish(false);
        };
        wake();
      });
    },
    detach() {
      socket.off('data', onData);
      socket.off('close', onEnd);
      socket.off('error', onEnd);
      wake = undefined;
    },
  };
}

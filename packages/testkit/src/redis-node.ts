import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { killQuietly, onProcessExit } from './exit-cleanup';
import { findFreePort } from './free-port';
import { probeTcp, retryUntil } from './wait';

/** One redis-server (or `redis-server --sentinel`) process of a cluster or sentinel set. */
export interface RedisNodeProcess {
  port: number;
  dir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A data node's arguments: loopback only, no RDB snapshots, AOF only when asked for. */
export function dataNodeArgs(port: number, dir: string, appendonly = false): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    appendonly ? 'yes' : 'no',
  ];
}

/**
 * Starts `redis-server <configFile?> --port P …args` in its own temp dir once `port` answers
 * PING. `freeAlso` are offsets from the port that must be free too (a cluster node's bus
 * listens on port + 10000); a taken port is retried with another.
 */
export async function startRedisNode(
  args: (port: number, dir: string) => string[],
  options: { freeAlso?: number[]; label: string },
): Promise<RedisNodeProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = await portWithSiblings(options.freeAlso ?? []);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rc-rnode-'));
    const child = spawn('redis-server', args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    }
    let gone: Error | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once('error', (error) => ((gone = error), resolve()));
      child.once('exit', (code, signal) => {
        gone ??= new Error(`${options.label} exited (${signal ?? code}):\n${output}`);
        resolve();
      });
    });
    const unhook = onProcessExit(() => killQuietly(child.pid));
    const stop = async (): Promise<void> => {
      killQuietly(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killQuietly(child.pid), 5_000);
      await exited;
      clearTimeout(timer);
      unhook();
      await rm(dir, { recursive: true, force: true });
    };
    try {
      await retryUntil(options.label, () => probeTcp(port, /^\+PONG\r\n/, { send: 'PING\r\n' }), {
        timeoutMs: 10_000,
        abort: () => gone,
      });
      return { port, dir, child, stop };
    } catch (error) {
      await stop();
      if (attempt >= 3 || !/Address already in use/i.test(output)) throw error;
    }
  }
}

async function portWithSiblings(offsets: number[]): Promise<number> {
  for (;;) {
    const port = await findFreePort();
    if (port + Math.max(0, ...offsets) > 65_535) continue;
    const siblingsFree = await Promise.all(offsets.map((offset) => isFree(port + offset)));
    if (siblingsFree.every(Boolean)) return port;
  }
}

function isFree(port: number): Promise<boolean> {
  return probeTcp(port, /./, { timeoutMs: 300 }).then(
    () => false,
    (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED',
  );
}

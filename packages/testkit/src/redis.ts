import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { onProcessExit, killQuietly } from './exit-cleanup';
import { findFreePort } from './free-port';
import { dataNodeArgs } from './redis-node';
import { probeTcp, retryUntil } from './wait';

export interface RedisServer {
  url: string;
  port: number;
  /** `rediss://127.0.0.1:PORT` when started with `tls` (the plain port stays open too) */
  tlsUrl?: string;
  /**
   * Stops the server — gracefully, or with SIGKILL as a crash — and starts it again on the same
   * port and directory: with `appendonly` the data comes back from the append-only file.
   */
  restart(opts?: { kill?: boolean; downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

const MISSING = 'redis-server not found: apt-get install -y redis-server';
const START_ATTEMPTS = 3;

class PortTakenError extends Error {}

export interface RedisStartOptions {
  appendonly?: boolean;
  /** also listen with TLS (a PEM certificate and key, e.g. from createTestCertificateAuthority) */
  tls?: { certFile: string; keyFile: string };
}

/** Starts `redis-server` (no persistence unless opts.appendonly) in a temp dir on a free port. */
export async function startRedis(opts: RedisStartOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rc-redis-'));
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startOnce(dir, opts);
      } catch (err) {
        if (!(err instanceof PortTakenError)) throw err;
        if (attempt >= START_ATTEMPTS) {
          throw new Error(
            `redis-server: ports taken by others in ${START_ATTEMPTS} attempts:\n${err.message}`,
          );
        }
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startOnce(dir: string, opts: RedisStartOptions): Promise<RedisServer> {
  const port = await findFreePort();
  const tlsPort = opts.tls ? await findFreePort() : undefined;
  const args = [
    ...dataNodeArgs(port, dir, opts.appendonly),
    ...(opts.tls && tlsPort
      ? ['--tls-port', String(tlsPort), '--tls-cert-file', opts.tls.certFile]
      : []),
    ...(opts.tls ? ['--tls-key-file', opts.tls.keyFile, '--tls-auth-clients', 'no'] : []),
  ];
  let running = await launch(dir, port, args);
  let stopping: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    ...(tlsPort ? { tlsUrl: `rediss://127.0.0.1:${tlsPort}` } : {}),
    async restart({ kill = false, downMs = 0 } = {}) {
      if (kill) {
        running.child.kill('SIGKILL');
        await running.exited;
      } else await stopChild(running.child, running.exited);
      running.unhook();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      running = await launch(dir, port, args);
    },
    stop() {
      stopping ??= (async () => {
        await stopChild(running.child, running.exited);
        running.unhook();
        await rm(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

interface RunningRedis {
  child: ChildProcess;
  exited: Promise<void>;
  unhook: () => void;
}

async function launch(dir: string, port: number, nodeArgs: string[]): Promise<RunningRedis> {
  const args = [...nodeArgs, '--daemonize', 'no', '--logfile', ''];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = new TailBuffer();
  // The pipes must be drained or redis blocks once the pipe buffer fills with log lines.
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));

  let exitError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      exitError = err.code === 'ENOENT' ? new Error(MISSING) : err;
      resolve();
    });
    child.once('exit', (code, signal) => {
      exitError ??= new Error(
        `redis-server exited (${signal ?? `code ${code}`}):\n${output.text()}`,
      );
      resolve();
    });
  });
  const unhook = onProcessExit(() => {
    killQuietly(child.pid);
    rmSync(dir, { recursive: true, force: true });
  });

  try {
    await retryUntil('redis-server', () => probeTcp(port, /^\+PONG\r\n/, { send: 'PING\r\n' }), {
      timeoutMs: 10_000,
      abort: () => exitError,
    });
  } catch (err) {
    await stopChild(child, exited);
    unhook();
    if (/Address already in use/i.test(output.text())) throw new PortTakenError(output.text());
    if (err instanceof Error && err.message === MISSING) throw err;
    throw new Error(`${(err as Error).message}\nredis output:\n${output.text()}`);
  }

  return { child, exited, unhook };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  // SIGTERM lets redis flush an append-only file; SIGKILL only if it hangs.
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Keeps the last few KB of a process's output for error messages. */
class TailBuffer {
  private data = '';
  push(chunk: Buffer): void {
    this.data = (this.data + chunk.toString('utf8')).slice(-4_000);
  }
  text(): string {
    return this.data.trim();
  }
}

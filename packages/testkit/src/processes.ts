import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './wait';

/** The repository root, where `pnpm start…` runs. */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** A root package script (`start`, `start:poller`, …) running as its own process. */
export interface ProductProcess {
  child: ChildProcess;
  /** everything it wrote to stdout and stderr so far */
  output(): string;
  /** pnpm's exit code (for a start-up failure such as bad configuration: 78) */
  exited: Promise<number | null>;
  /** SIGTERM as a container runtime sends it; resolves once every process of the group is gone */
  stop(): Promise<void>;
  /** SIGKILL: a crash, with no chance to clean up */
  kill(): Promise<void>;
}

/**
 * Starts `pnpm <script>` in its own process group, so signals reach the service itself and
 * not only pnpm (which dies at once on SIGTERM while the service behind it shuts down).
 */
export function startPnpmScript(
  script: string,
  env: Record<string, string>,
  options: { logFile?: string } = {},
): ProductProcess {
  const child = spawn('pnpm', ['--silent', script], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const log = options.logFile ? createWriteStream(options.logFile) : undefined;
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      log?.write(chunk);
    });
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const signal = (name: NodeJS.Signals | 0): boolean => {
    try {
      if (child.pid) process.kill(-child.pid, name);
      return true;
    } catch {
      return false; // no process of the group is left
    }
  };
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      signal('SIGTERM');
      // pnpm dies at once; the service behind it takes its graceful shutdown's time (at most
      // its 20 s grace period), and a zombie lingers until it is reaped
      try {
        await waitUntil(`pnpm ${script} to stop`, () => (signal(0) ? undefined : true), 25_000, 50);
      } catch (error) {
        const left = execSync(`ps -eo pid,pgid,stat,etime,args | awk '$2 == ${child.pid}'`);
        throw new Error(`${(error as Error).message}; still running:\n${left.toString()}`);
      }
    },
    async kill() {
      signal('SIGKILL');
      await exited;
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { findFreePort, REPO_ROOT } from '@rc/testkit';

/** One product process as `pnpm start` (or a service's own start script) runs it. */
export interface RunningProduct {
  pid: number;
  port: number;
  /** ms from spawn to the first `/readyz` that answered 200 */
  readyMs: number;
  /** peak resident set size so far (Linux VmHWM), in MB */
  peakRssMb(): number;
  /** current resident set size (Linux VmRSS), in MB */
  rssMb(): number;
  /** CPU seconds the process used so far (user + system) */
  cpuSeconds(): number;
  /** SIGTERM, then the exit (a --cpu-prof profile is written on the way out) */
  stop(): Promise<void>;
  output(): string;
}

function statusField(pid: number, field: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** utime + stime from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s). */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Starts `node [nodeArgs] entry` with `env` (plus a free RC_HTTP_PORT) and waits for /readyz.
 * `entry` is a TypeScript main run through tsx as the start scripts do (`node --import tsx`),
 * or a built bundle (`dist/…/main.js`) run by plain node.
 */
export async function startProductProcess(
  entry: string,
  env: Record<string, string>,
  options: { nodeArgs?: string[]; readyTimeoutMs?: number } = {},
): Promise<RunningProduct> {
  const port = await findFreePort();
  const tsx = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const started = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...tsx, entry],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, RC_HTTP_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid ?? 0;
  const deadline = started + (options.readyTimeoutMs ?? 30_000);
  let readyMs = NaN;
  while (performance.now() < deadline && child.exitCode === null) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
      .then((response) => response.ok)
      .catch(() => false);
    if (ok) {
      readyMs = performance.now() - started;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (Number.isNaN(readyMs)) {
    child.kill('SIGKILL');
    throw new Error(`${entry} did not become ready:\n${output.slice(-2000)}`);
  }
  return {
    pid,
    port,
    readyMs,
    peakRssMb: () => statusField(pid, 'VmHWM'),
    rssMb: () => statusField(pid, 'VmRSS'),
    cpuSeconds: () => cpuSecondsOf(pid),
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

import { readFileSync } from 'node:fs';

/**
 * Child processes (redis-server, the daemonized Dovecot master) outlive a test worker that dies
 * without calling stop(). Synchronous kill hooks on 'exit' keep them from piling up across runs.
 */
const hooks = new Set<() => void>();
let installed = false;

function runHooks(): void {
  for (const hook of hooks) {
    try {
      hook();
    } catch {
      // best effort: the process is going away anyway
    }
  }
  hooks.clear();
}

/** Registers a synchronous kill hook; returns a function that unregisters it. */
export function onProcessExit(hook: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', runHooks);
  }
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}

/** Kills a pid if it is still alive; never throws. */
export function killQuietly(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * True while the process runs. A zombie counts as dead: daemons we start are reparented to PID 1,
 * which on these machines reaps only about once a second, and a zombie holds no ports or files.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM means it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/PID/stat is "pid (comm) STATE ..."; comm may contain spaces, so split after ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

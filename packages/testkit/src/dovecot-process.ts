import { execFile, spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { isAlive, killQuietly } from './exit-cleanup';
import { retryUntil, sleep } from './wait';

/** The master process of a private Dovecot: launching, finding, stopping, diagnosing it. */

const execFileAsync = promisify(execFile);

export const MISSING = 'dovecot not found: apt-get install -y dovecot-imapd dovecot-lmtpd';

/** A port taken between choosing and binding it: the caller starts again on other ports. */
export class PortTakenError extends Error {}

export interface Layout {
  conf: string;
  baseDir: string;
  stateDir: string;
  mailRoot: string;
  logPath: string;
  stderrPath: string;
  oauth2Conf: string;
}

/** Starts the master of an already written configuration; resolves to its pid once known. */
export async function launchMaster(layout: Layout): Promise<number | null> {
  // `dovecot` daemonizes and the daemon keeps inherited descriptors: a captured pipe would never
  // close, so early (pre-log_path) errors go to a file instead.
  const stderr = await open(layout.stderrPath, 'w');
  let launcherError: Error | undefined;
  try {
    const launcher = spawn('dovecot', ['-c', layout.conf], {
      stdio: ['ignore', stderr.fd, stderr.fd],
    });
    await new Promise<void>((resolve) => {
      launcher.once('error', (err: NodeJS.ErrnoException) => {
        launcherError = err.code === 'ENOENT' ? new Error(MISSING) : err;
        resolve();
      });
      // The launcher exits as soon as the master has forked (0) or failed before forking.
      launcher.once('exit', (code, signal) => {
        if (code !== 0) launcherError = new Error(`dovecot exited (${signal ?? `code ${code}`})`);
        resolve();
      });
    });
  } finally {
    await stderr.close();
  }
  if (launcherError) {
    // It failed before forking, so there is no master to stop; the reason is in stderr/log.
    if (launcherError.message === MISSING) throw launcherError;
    throw await startupError(layout, launcherError);
  }

  // The launcher can exit before the forked master has written its pid file.
  return retryUntil(
    'dovecot master.pid',
    async () => {
      const pid = await readMasterPid(layout.baseDir);
      if (pid === null) throw new Error('no master.pid yet');
      return pid;
    },
    { timeoutMs: 5_000, intervalMs: 10 },
  ).catch(() => null);
}

export async function childPids(parent: number): Promise<number[]> {
  const { stdout } = await execFileAsync('ps', ['-o', 'pid=', '--ppid', String(parent)]).catch(
    () => ({ stdout: '' }),
  );
  return stdout
    .split('\n')
    .map((line) => Number.parseInt(line.trim(), 10))
    .filter(Number.isFinite);
}

/** Attaches the log tail; a port lost to a race becomes PortTakenError so the caller retries. */
export async function startupError(layout: Layout, cause: Error): Promise<Error> {
  const diagnostics = await readDiagnostics(layout);
  if (/Address already in use/i.test(diagnostics)) return new PortTakenError(diagnostics);
  return new Error(`${cause.message}\n--- dovecot log (${layout.logPath}) ---\n${diagnostics}`);
}

export async function readMasterPid(baseDir: string): Promise<number | null> {
  try {
    const pid = Number.parseInt(
      (await readFile(path.join(baseDir, 'master.pid'), 'utf8')).trim(),
      10,
    );
    return Number.isFinite(pid) ? pid : null;
  } catch {
    return null;
  }
}

export async function stopMaster(layout: Layout, masterPid: number | null): Promise<void> {
  const pid = masterPid ?? (await readMasterPid(layout.baseDir));
  if (pid === null) {
    // Without a pid file the master may still be starting; doveadm finds it via base_dir.
    await execFileAsync('doveadm', ['-c', layout.conf, 'stop'], { timeout: 10_000 }).catch(
      () => undefined,
    );
    return;
  }
  if (!isAlive(pid)) return;
  // SIGTERM is exactly what `doveadm stop` sends, but doveadm then waits until the pid is reaped,
  // which PID 1 here does only about once a second; the master's shutdown itself takes ~1 s
  // while it waits for its children, and the zombie it leaves holds nothing.
  killQuietly(pid, 'SIGTERM');
  const deadline = Date.now() + 5_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(20);
  if (isAlive(pid)) {
    killQuietly(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(20);
  }
}

export async function readDiagnostics(layout: Layout): Promise<string> {
  const tail = async (file: string): Promise<string> => {
    try {
      return (await readFile(file, 'utf8')).split('\n').slice(-30).join('\n').trim();
    } catch {
      return '';
    }
  };
  return (
    [await tail(layout.stderrPath), await tail(layout.logPath)].filter(Boolean).join('\n') ||
    '(empty)'
  );
}

/** ok: works; warn: works, but not as it should in production; fail: broken; skip: not checked. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of the doctor's report. */
export interface CheckLine {
  check: string;
  status: CheckStatus;
  /** what was found, in one sentence; never a secret */
  detail: string;
  /** what to change, for warn and fail */
  fix?: string;
}

/** What a check found; `check` names a line of its own (a check may report several). */
export type Finding = Omit<CheckLine, 'check'> & { check?: string };

/** A problem a check found, thrown from deep inside it. */
export class CheckProblem extends Error {
  constructor(
    readonly detail: string,
    readonly fix?: string,
    readonly status: 'warn' | 'fail' = 'fail',
  ) {
    super(detail);
    this.name = 'CheckProblem';
  }
}

export interface DoctorCheck {
  name: string;
  /** checks that must have passed (ok or warn) first; otherwise this one is skipped */
  needs?: readonly string[];
  /** what a hang most likely means, for the line printed when the check times out */
  hangFix?: string;
  /**
   * The check. It must release what it holds (sockets, connections) when `signal` aborts:
   * that is how a hung server is left behind.
   */
  run(signal: AbortSignal): Promise<Finding | Finding[]>;
}

function problemLine(check: string, error: unknown): CheckLine {
  if (error instanceof CheckProblem) {
    return { check, status: error.status, detail: error.detail, fix: error.fix };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { check, status: 'fail', detail: message };
}

/**
 * Runs every check at once, each under its own deadline, and returns the lines in the order the
 * checks were given. A check waits for the checks it needs; if one of them did not pass, it is
 * skipped with a line saying why, so one broken thing is reported once, not once per dependent.
 */
export async function runChecks(
  checks: readonly DoctorCheck[],
  timeoutMs: number,
): Promise<CheckLine[]> {
  const running = new Map<string, Promise<CheckLine[]>>();
  const runOne = async (check: DoctorCheck): Promise<CheckLine[]> => {
    await Promise.resolve(); // every check is in `running` before any looks up what it needs
    for (const need of check.needs ?? []) {
      const lines = (await running.get(need)) ?? [];
      const bad = lines.find((line) => line.status === 'fail' || line.status === 'skip');
      if (bad) {
        return [{ check: check.name, status: 'skip', detail: `not checked: ${need} did not pass` }];
      }
    }
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const seconds = Math.round(timeoutMs / 100) / 10;
        reject(new CheckProblem(`no answer within ${seconds} s`, check.hangFix));
      }, timeoutMs);
    });
    try {
      const found = await Promise.race([check.run(controller.signal), deadline]);
      return (Array.isArray(found) ? found : [found]).map(({ check: name, ...rest }) => ({
        check: name ?? check.name,
        ...rest,
      }));
    } catch (error) {
      return [problemLine(check.name, error)];
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  };
  for (const check of checks) running.set(check.name, runOne(check));
  const all = await Promise.all(checks.map((check) => running.get(check.name)!));
  return all.flat();
}

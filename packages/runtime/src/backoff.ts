/**
 * The wait after the n-th failure in a row: exponential from `baseMs`, capped at `maxMs`, with
 * "equal jitter" — between half and all of the ceiling — so the wait grows without ever
 * collapsing to a tight loop, and replicas that failed together do not retry together.
 */
export function backoffWithJitter(
  failures: number,
  backoff: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(ceiling * (0.5 + random() / 2));
}

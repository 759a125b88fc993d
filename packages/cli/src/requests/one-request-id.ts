import type { Output } from '../command';

/** The single REQUEST_ID of `rc status` and `rc cancel`; undefined (and a line saying so) otherwise. */
export function oneRequestId(
  command: string,
  positionals: string[],
  out: Output,
): string | undefined {
  if (positionals.length === 1 && positionals[0]) return positionals[0];
  out.result(false, { error: 'one request id expected' }, `rc ${command}: give one request id`);
  return undefined;
}

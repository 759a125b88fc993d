import { REJECTION_REASONS, type InboundRecord } from '@rc/contracts';
import { EXIT, type Command } from '../command';
import { loadCliConfig } from '../load-config';
import { withRequestAccess } from '../requests/request-access';

function problemsOf(values: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const limit = Number(values.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    problems.push('--limit: must be a whole number from 1 to 1000');
  if (
    values.outcome !== undefined &&
    values.outcome !== 'accepted' &&
    values.outcome !== 'rejected'
  )
    problems.push('--outcome: must be accepted or rejected');
  if (values.reason !== undefined && !(String(values.reason) in REJECTION_REASONS))
    problems.push(`--reason: must be one of ${Object.keys(REJECTION_REASONS).join(', ')}`);
  return problems;
}

function lineOf(item: InboundRecord): string {
  const verdict = item.outcome === 'accepted' ? 'accepted' : `rejected ${item.reason ?? ''}`;
  const about = item.requestId ? ` request ${item.requestId}` : '';
  const detail = item.detail ? ` (${item.detail})` : '';
  return `${item.decidedAt} ${verdict.trim()}${detail}: from ${item.from ?? '?'} "${item.subject ?? ''}"${about}`;
}

/** SPEC 3.6 `rc inbound`: the outcome log, newest first, as GET /v1/inbound. */
export const inbound: Command = {
  name: ['inbound'],
  summary: 'what became of each inbound email, newest first ("why was my email ignored?")',
  usage:
    '[--outcome accepted|rejected] [--reason CODE] [--request ID] [--from ADDRESS] [--limit 50]',
  options: {
    outcome: { type: 'string' },
    reason: { type: 'string' },
    request: { type: 'string' },
    from: { type: 'string' },
    limit: { type: 'string' },
  },
  async run({ io, out, values }) {
    const problems = problemsOf(values);
    if (problems.length > 0) {
      out.result(
        false,
        { error: 'invalid_query', problems },
        problems.map((p) => `rc inbound: ${p}`).join('\n'),
      );
      return EXIT.failed;
    }
    const config = loadCliConfig(io, out, []);
    if (!config) return EXIT.config;
    const items = await withRequestAccess(config, ({ inboundLog }) =>
      inboundLog.query({
        outcome: values.outcome as InboundRecord['outcome'] | undefined,
        reason: values.reason as string | undefined,
        requestId: values.request as string | undefined,
        from: values.from as string | undefined,
        limit: Number(values.limit ?? 50),
      }),
    );
    out.result(
      true,
      { command: 'inbound', items },
      items.length > 0 ? items.map(lineOf).join('\n') : 'No inbound email matches.',
    );
    return EXIT.ok;
  },
};

import { QUEUE_CONTRACTS, type JobPayload, type QueueName } from '@rc/contracts';

/** Problems listed in a dead letter; the first few say enough to find the faulty producer. */
const MAX_PROBLEMS = 5;

export type ContractCheck<N extends QueueName> =
  { ok: true; data: JobPayload<N> } | { ok: false; problems: string[] };

/**
 * Checks a job against its queue's contract before any handler sees it: a job queued by an
 * older or foreign producer (a Node engine's client, a hand-written replay) is a permanent
 * failure, never a crash deep inside a handler. Problems name paths and rules, never values:
 * payloads can hold personal data.
 */
export function checkJobContract<N extends QueueName>(
  queue: N,
  name: string,
  data: unknown,
): ContractCheck<N> {
  const contract = QUEUE_CONTRACTS[queue];
  const problems: string[] = [];
  if (!(contract.jobNames as readonly string[]).includes(name)) {
    problems.push(`job name ${JSON.stringify(name)} is not one of ${contract.jobNames.join(', ')}`);
  }
  const parsed = contract.schema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join('.') || 'payload'}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) {
    const shown = problems.slice(0, MAX_PROBLEMS);
    if (problems.length > MAX_PROBLEMS) shown.push(`and ${problems.length - MAX_PROBLEMS} more`);
    return { ok: false, problems: shown };
  }
  return { ok: true, data: parsed.data as JobPayload<N> };
}

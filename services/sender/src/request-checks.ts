import type { Assignee, CompletionRequestInput } from '@rc/contracts';
import { isAddressWhitelisted } from '@rc/mail';
import type { Config } from '@rc/runtime';
import { timerProblems } from './timers/schedule';

/** What a new or changed request is checked against besides its schema. */
export type RequestCheckConfig = Pick<Config, 'requestTtlMs' | 'whitelist'>;

/** zod issues as the API's `problems` lines: `field.path: message`. */
export function problemsOf(issues: { path: PropertyKey[]; message: string }[]): string[] {
  return issues.map(
    (issue) => `${issue.path.length ? issue.path.map(String).join('.') : 'body'}: ${issue.message}`,
  );
}

/** Addresses outside RC_WHITELIST_DOMAINS, one problem each (creation and reassignment). */
export function whitelistProblems(
  field: string,
  assignees: readonly Assignee[] | undefined,
  config: Pick<Config, 'whitelist'>,
): string[] {
  const { whitelist } = config;
  if (!whitelist.enabled) return [];
  return (assignees ?? []).flatMap((assignee, index) =>
    isAddressWhitelisted(assignee.email, whitelist.domains)
      ? []
      : [`${field}.${index}.email: ${assignee.email} is outside RC_WHITELIST_DOMAINS`],
  );
}

type QuorumRules = Pick<CompletionRequestInput, 'quorum' | 'requester' | 'allowSelfApproval'>;

/**
 * A quorum the assignees can reach: at most as many distinct assignees as are named, not
 * counting the requester when they may not approve their own request.
 */
export function quorumProblems(rules: QuorumRules, assignees: readonly Assignee[]): string[] {
  const quorum = rules.quorum ?? 1;
  const requester = rules.allowSelfApproval ? undefined : rules.requester?.email.toLowerCase();
  const voters = new Set(assignees.map((assignee) => assignee.email.toLowerCase()));
  if (requester) voters.delete(requester);
  if (quorum <= voters.size) return [];
  return [
    `quorum: ${quorum} needs at least ${quorum} distinct assignees${requester ? ' besides the requester' : ''}, ${voters.size} named`,
  ];
}

/** Checks beyond the schema that depend on time and configuration (intake and `rc request`). */
export function semanticProblems(
  input: CompletionRequestInput,
  config: RequestCheckConfig,
  now: number,
): string[] {
  const problems: string[] = [];
  if (input.expiresAt && Date.parse(input.expiresAt) <= now)
    problems.push('expiresAt: must be in the future');
  const expiresAt = input.expiresAt ? Date.parse(input.expiresAt) : now + config.requestTtlMs;
  problems.push(...timerProblems(input, expiresAt, now));
  for (const field of ['assignees', 'escalateTo'] as const)
    problems.push(...whitelistProblems(field, input[field], config));
  problems.push(...quorumProblems(input, input.assignees));
  return problems;
}

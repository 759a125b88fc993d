import { parseDuration } from '@rc/runtime';
import { EXIT, type Command } from '../command';
import { loadCliConfig } from '../load-config';
import { acceptRequest } from '@rc/sender';
import { withRequestAccess } from '../requests/request-access';

/** `alice@corp.example` or `Alice Example <alice@corp.example>` */
function assigneeOf(text: string): { email: string; name?: string } {
  const named = /^\s*(.+?)\s*<([^>]+)>\s*$/.exec(text);
  return named ? { name: named[1], email: named[2]!.trim() } : { email: text.trim() };
}

/** An ISO time as it is, or a duration from now (`2d`). */
function expiryOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const duration = parseDuration(text);
  return duration === null ? text : new Date(Date.now() + duration).toISOString();
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** SPEC 3.6 `rc request`: a completion request, as the HTTP intake takes it. */
export const request: Command = {
  name: ['request'],
  summary: 'ask assignees by email to complete or fail a task',
  usage:
    '--task ID --title TEXT --assignee ADDRESS [--assignee …] [--locale de] [--expires 2d|ISO] [--description TEXT] [--request-id ID]',
  details: [
    'Queues the request as POST /v1/completion-requests does (same validation, same idempotency:',
    'the same --request-id twice is one request), straight into Redis: no RC_API_TOKEN needed.',
    'An assignee is an address or "Name <address>". --expires takes a duration from now or an',
    'ISO time; without it RC_REQUEST_TTL applies.',
  ],
  options: {
    task: { type: 'string' },
    title: { type: 'string' },
    assignee: { type: 'string', multiple: true },
    locale: { type: 'string' },
    expires: { type: 'string' },
    description: { type: 'string' },
    'request-id': { type: 'string' },
  },
  async run({ io, out, values }) {
    const config = loadCliConfig(io, out, []);
    if (!config) return EXIT.config;
    const assignees = Array.isArray(values.assignee) ? values.assignee.map(String) : [];
    const input = {
      taskId: text(values.task),
      title: text(values.title),
      assignees: assignees.map(assigneeOf),
      ...(values.locale !== undefined ? { locale: text(values.locale) } : {}),
      ...(values.expires !== undefined ? { expiresAt: expiryOf(text(values.expires)) } : {}),
      ...(values.description !== undefined ? { description: text(values.description) } : {}),
      ...(values['request-id'] !== undefined ? { requestId: text(values['request-id']) } : {}),
    };
    // What POST /v1/completion-requests does, without HTTP: so no RC_API_TOKEN is needed.
    const result = await withRequestAccess(config, (access) =>
      acceptRequest(input, { config, store: access.store, sendQueue: access.sendQueue }, 'queue'),
    );
    if (!result.ok) {
      out.result(
        false,
        { error: 'invalid_request', problems: result.problems },
        result.problems.map((problem) => `rc request: ${problem}`).join('\n'),
      );
      return EXIT.failed;
    }
    const to = input.assignees.map((assignee) => assignee.email).join(', ');
    out.result(
      true,
      { command: 'request', requestId: result.requestId, created: result.created },
      result.created === 'created'
        ? `Requested ${result.requestId} (task ${input.taskId}): the sender emails ${to}.`
        : `Request ${result.requestId} already exists: nothing new was queued.`,
    );
    return EXIT.ok;
  },
};

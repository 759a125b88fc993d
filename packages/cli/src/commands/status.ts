import { EXIT, type Command } from '../command';
import { loadCliConfig } from '../load-config';
import { oneRequestId } from '../requests/one-request-id';
import { withRequestAccess } from '../requests/request-access';

/** SPEC 3.6 `rc status ID`: a request's state and audit events, as GET /v1/completion-requests/{id}. */
export const status: Command = {
  name: ['status'],
  summary: "a request's state, assignees and audit events",
  usage: 'REQUEST_ID',
  positionals: true,
  async run({ io, out, positionals }) {
    const requestId = oneRequestId('status', positionals, out);
    if (!requestId) return EXIT.failed;
    const config = loadCliConfig(io, out, []);
    if (!config) return EXIT.config;
    const found = await withRequestAccess(config, async ({ store }) => {
      const record = await store.get(requestId);
      return record ? { ...record, events: await store.events(requestId) } : undefined;
    });
    if (!found) {
      out.result(false, { error: 'not_found', requestId }, `rc status: no request ${requestId}`);
      return EXIT.failed;
    }
    const decision = found.decision
      ? `${found.decision.action} by ${found.decision.actor} at ${found.decision.decidedAt}${found.decision.appliedAt ? `, engine told at ${found.decision.appliedAt}` : ''}`
      : undefined;
    const lines = [
      `${found.requestId}: ${found.status}`,
      `  task       ${found.taskId}: ${found.title}`,
      `  assignees  ${found.assignees.map((assignee) => assignee.email).join(', ')}`,
      `  created    ${found.createdAt}, expires ${found.expiresAt}`,
      ...(decision ? [`  decision   ${decision}`] : []),
      ...(found.cancelledAt ? [`  cancelled  ${found.cancelledAt}`] : []),
      '  events',
      ...found.events.map(
        (event) =>
          `    ${event.at} ${event.type}${event.actor ? ` ${event.actor}` : ''}${event.detail ? `: ${event.detail}` : ''}`,
      ),
    ];
    out.result(true, { command: 'status', request: found }, lines.join('\n'));
    return EXIT.ok;
  },
};

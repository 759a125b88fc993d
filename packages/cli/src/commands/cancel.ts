import { EXIT, type Command } from '../command';
import { loadCliConfig } from '../load-config';
import { oneRequestId } from '../requests/one-request-id';
import { withRequestAccess } from '../requests/request-access';

/**
 * SPEC 3.6 `rc cancel ID`, as DELETE /v1/completion-requests/{id}: later answers are rejected
 * as `cancelled`. Cancelling twice is fine; a decided request cannot be cancelled.
 */
export const cancel: Command = {
  name: ['cancel'],
  summary: 'cancel a request: later answers to it are rejected as cancelled',
  usage: 'REQUEST_ID',
  positionals: true,
  async run({ io, out, positionals }) {
    const requestId = oneRequestId('cancel', positionals, out);
    if (!requestId) return EXIT.failed;
    const config = loadCliConfig(io, out, []);
    if (!config) return EXIT.config;
    const at = new Date().toISOString();
    const outcome = await withRequestAccess(config, async ({ store }) => {
      const result = await store.cancel(requestId, at);
      if (result === 'cancelled') {
        const stored = await store.getStored(requestId);
        if (stored) await store.addEvent(stored, { at, type: 'cancelled', detail: 'rc cancel' });
      }
      const record = result === 'already_decided' ? await store.get(requestId) : undefined;
      return { result, record };
    });
    switch (outcome.result) {
      case 'not_found':
        out.result(false, { error: 'not_found', requestId }, `rc cancel: no request ${requestId}`);
        return EXIT.failed;
      case 'already_decided': {
        const decision = outcome.record?.decision;
        out.result(
          false,
          { error: 'already_decided', requestId, status: outcome.record?.status, decision },
          `rc cancel: ${requestId} is already ${outcome.record?.status ?? 'decided'}${decision ? ` (${decision.action} by ${decision.actor})` : ''}`,
        );
        return EXIT.failed;
      }
      default:
        out.result(
          true,
          { command: 'cancel', requestId, status: 'cancelled', result: outcome.result },
          outcome.result === 'cancelled'
            ? `Cancelled ${requestId}: later answers to it are rejected as cancelled.`
            : `${requestId} was already cancelled.`,
        );
        return EXIT.ok;
    }
  },
};

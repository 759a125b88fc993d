import type { TaskEvent } from '@rc/contracts';
import { PermanentJobError } from '@rc/runtime';
import { isRetryableStatus, type EngineAdapter } from './engine';

export interface ReleaseSettings {
  url: string;
  user?: string;
  password?: string;
  token?: string;
  timeoutMs: number;
}

/** The comment Release shows on the task: who answered, that it was by email, and their text. */
export function releaseComment(event: TaskEvent): string {
  const who = event.actor.name ? `${event.actor.name} <${event.actor.email}>` : event.actor.email;
  const verb = event.event === 'task.completed' ? 'Completed' : 'Failed';
  return `${verb} by ${who} by email at ${event.respondedAt}.${event.comment ? `\n\n${event.comment}` : ''}`;
}

/**
 * Digital.ai Release REST API: POST /api/v1/tasks/{taskId}/complete|fail with {"comment"}.
 * Release task ids contain slashes (Applications/Folder1/Release1/Phase2/Task3) and go into
 * the path as they are, segment by segment.
 */
export function createReleaseEngine(settings: ReleaseSettings): EngineAdapter {
  const base = settings.url.replace(/\/+$/, '');
  const auth: Record<string, string> = settings.token
    ? { 'x-release-personal-token': settings.token }
    : {
        Authorization: `Basic ${Buffer.from(`${settings.user ?? ''}:${settings.password ?? ''}`).toString('base64')}`,
      };
  return {
    name: 'release',
    async notify(event: TaskEvent) {
      const path = event.taskId.split('/').map(encodeURIComponent).join('/');
      const verb = event.event === 'task.completed' ? 'complete' : 'fail';
      let response: Response;
      try {
        response = await fetch(`${base}/api/v1/tasks/${path}/${verb}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...auth },
          body: JSON.stringify({ comment: releaseComment(event) }),
          signal: AbortSignal.timeout(settings.timeoutMs),
        });
      } catch (error) {
        throw new Error(`Release unreachable: ${error instanceof Error ? error.name : 'error'}`);
      }
      const text = (await response.text().catch(() => '')).slice(0, 200);
      if (response.ok) return 'done';
      if (response.status === 409) return 'already_done';
      const message = `Release answered ${response.status}${text ? `: ${text}` : ''}`;
      if (isRetryableStatus(response.status)) throw new Error(message);
      throw new PermanentJobError(message, 'ENGINE_REJECTED');
    },
  };
}

import type { TaskEvent } from '@rc/contracts';
import type { ConfigReader } from '@rc/runtime';
import type { EngineDefinition } from './engine';
import { createEngineHttp } from './http-policy';

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
  const votes = event.votes?.map((vote) => `- ${vote.actor.email}: ${vote.action}`) ?? [];
  return `${verb} by ${who} by email at ${event.respondedAt}.${event.comment ? `\n\n${event.comment}` : ''}${votes.length ? `\n\nVotes:\n${votes.join('\n')}` : ''}`;
}

function readReleaseSettings(read: ConfigReader, needed: boolean): ReleaseSettings {
  const settings: ReleaseSettings = {
    url:
      read.url(
        'RC_RELEASE_URL',
        ['http:', 'https:'],
        'https://release.corp.example',
        needed,
        'with RC_ENGINE=release',
      ) ?? '',
    user: read.string('RC_RELEASE_USER'),
    password: read.string('RC_RELEASE_PASSWORD'),
    token: read.string('RC_RELEASE_TOKEN'),
    timeoutMs: read.duration('RC_RELEASE_TIMEOUT', '10s', '10s'),
  };
  if (needed && !settings.token && !(settings.user && settings.password)) {
    read.problem(
      'RC_RELEASE_TOKEN',
      'is required with RC_ENGINE=release unless RC_RELEASE_USER and RC_RELEASE_PASSWORD are set',
      '/run/secrets/release',
      'RC_RELEASE_TOKEN_FILE',
    );
  }
  return settings;
}

/**
 * RC_ENGINE=release: Digital.ai Release REST API, POST /api/v1/tasks/{taskId}/complete|fail with
 * {"comment"}. Release task ids contain slashes (Applications/Folder1/Release1/Phase2/Task3) and
 * go into the path as they are, segment by segment.
 */
export const releaseEngine: EngineDefinition<ReleaseSettings> = {
  name: 'release',
  settings: readReleaseSettings,
  create(settings, context) {
    const base = settings.url.replace(/\/+$/, '');
    const auth: Record<string, string> = settings.token
      ? { 'x-release-personal-token': settings.token }
      : {
          Authorization: `Basic ${Buffer.from(`${settings.user ?? ''}:${settings.password ?? ''}`).toString('base64')}`,
        };
    const post = createEngineHttp('Release', settings, context);
    return {
      name: 'release',
      notify(event) {
        const path = event.taskId.split('/').map(encodeURIComponent).join('/');
        const verb = event.event === 'task.completed' ? 'complete' : 'fail';
        return post({
          url: `${base}/api/v1/tasks/${path}/${verb}`,
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...auth },
          body: JSON.stringify({ comment: releaseComment(event) }),
        });
      },
    };
  },
};

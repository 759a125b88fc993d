import { createQueue } from '@rc/runtime';
import type { EngineSelection, ReleaseSettings, WebhookSettings } from '@rc/task-updater';
import { CheckProblem, type DoctorCheck, type Finding } from './check';
import { httpProbe, type HttpAnswer } from './http-probe';
import type { DoctorResources } from './resources';

/** The answers that mean the same for every engine. */
function commonProblem(answer: HttpAnswer, variable: string): CheckProblem | undefined {
  if (answer.status >= 300 && answer.status < 400) {
    return new CheckProblem(
      `${variable} answers ${answer.status}, a redirect to ${answer.location ?? 'elsewhere'}`,
      `set ${variable} to the final address: engine calls never follow redirects`,
    );
  }
  if (answer.status >= 500) {
    return new CheckProblem(
      `${variable} answers ${answer.status}`,
      'the engine is failing: see its logs (the task-updater retries meanwhile)',
    );
  }
  return undefined;
}

/**
 * RC_ENGINE=webhook. A signed POST is not safe to send: a receiver that checks the signature
 * and little else could act on it. So the doctor asks `OPTIONS` (RFC 9110 §9.3.7, no body,
 * no effect): any answer proves the address and its TLS; 404/410 says nothing is at the path;
 * 401/403 says something in front wants credentials the webhook does not send (it signs its
 * body instead); 405 and other 4xx mean the endpoint is there and only takes its POST.
 */
async function webhook(settings: WebhookSettings, resources: DoctorResources, signal: AbortSignal) {
  const variable = 'RC_WEBHOOK_URL';
  const url = new URL(settings.url);
  const answer = await httpProbe(
    url,
    { method: 'OPTIONS' },
    {
      urlVariable: variable,
      tlsCaFile: resources.config.tlsCaFile,
      signal,
    },
  );
  const common = commonProblem(answer, variable);
  if (common) throw common;
  if (answer.status === 404 || answer.status === 410) {
    throw new CheckProblem(
      `${variable} answers ${answer.status}: nothing is at ${url.pathname}`,
      `check the path of ${variable} with the engine's documentation`,
    );
  }
  if (answer.status === 401 || answer.status === 403) {
    throw new CheckProblem(
      `${variable} answers ${answer.status} before any signature is checked: something in front of the receiver wants credentials`,
      'let the product through (the webhook authenticates by X-RC-Signature), or put the credentials in the URL (https://user:password@host/path)',
    );
  }
  return `${url.host} answers (${answer.status} to OPTIONS)`;
}

/**
 * RC_ENGINE=release: `GET /api/v1/releases?resultsPerPage=1` with the credentials the engine
 * sends, the cheapest read of Release's REST API that needs a login.
 */
async function release(settings: ReleaseSettings, resources: DoctorResources, signal: AbortSignal) {
  const variable = 'RC_RELEASE_URL';
  const base = settings.url.replace(/\/+$/, '');
  const url = new URL(`${base}/api/v1/releases?page=0&resultsPerPage=1`);
  const headers: Record<string, string> = settings.token
    ? { 'x-release-personal-token': settings.token, Accept: 'application/json' }
    : {
        Authorization: `Basic ${Buffer.from(`${settings.user ?? ''}:${settings.password ?? ''}`).toString('base64')}`,
        Accept: 'application/json',
      };
  const answer = await httpProbe(
    url,
    { method: 'GET', headers },
    {
      urlVariable: variable,
      tlsCaFile: resources.config.tlsCaFile,
      signal,
    },
  );
  const common = commonProblem(answer, variable);
  if (common) throw common;
  const who = settings.token ? 'the personal token (RC_RELEASE_TOKEN)' : `user ${settings.user}`;
  if (answer.status === 401) {
    throw new CheckProblem(
      `Release refused ${who} (401)`,
      settings.token
        ? 'check RC_RELEASE_TOKEN: it may have expired or been revoked'
        : 'check RC_RELEASE_USER and RC_RELEASE_PASSWORD',
    );
  }
  if (answer.status === 404) {
    throw new CheckProblem(
      `no Release API at ${base}/api/v1 (404)`,
      'RC_RELEASE_URL is the address of Release itself, e.g. https://release.corp.example (with its context path, if any)',
    );
  }
  if (answer.status === 403) {
    throw new CheckProblem(
      `Release accepts ${who} but may not read releases (403)`,
      'give the user the permissions to edit the tasks it completes (Release: "Edit Task")',
      'warn',
    );
  }
  if (answer.status >= 400) throw new CheckProblem(`Release answers ${answer.status}`);
  return `Release at ${url.host} accepts ${who}`;
}

export function engineCheck(resources: DoctorResources, selection: EngineSelection): DoctorCheck {
  const { config } = resources;
  return {
    name: 'engine',
    needs: selection.engine === 'queue' ? ['redis'] : [],
    hangFix: 'the engine accepts the connection but does not answer: check its address and health',
    async run(signal): Promise<Finding> {
      if (selection.engine === 'webhook') {
        const detail = await webhook(selection.settings as WebhookSettings, resources, signal);
        return { status: 'ok', detail: `webhook: ${detail}` };
      }
      if (selection.engine === 'release') {
        const detail = await release(selection.settings as ReleaseSettings, resources, signal);
        return { status: 'ok', detail };
      }
      if (selection.engine === 'queue') {
        const results = createQueue('results', resources.redis(), config.queuePrefix);
        const { waiting = 0 } = await results
          .getJobCounts('waiting')
          .finally(() => results.close());
        return {
          status: 'ok',
          detail: `queue: decisions go to the "results" queue, where the engine's CompletionClient.onResult reads them (${waiting} waiting)`,
        };
      }
      return { status: 'ok', detail: `${selection.engine}: no connection of its own to check` };
    },
  };
}

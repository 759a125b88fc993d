/**
 * `bash scripts/demo.sh`: the whole system on this machine and one real round trip.
 *
 * Starts local Redis, Dovecot (IMAP) and an SMTP server, a stand-in release engine (a
 * webhook receiver), then `pnpm start` as its own process configured only through RC_*
 * variables, exactly as an operator would run it. Then it plays the engine and the assignee
 * and prints each stage with its time. `--keep` leaves everything running until Ctrl-C.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  answerWithButton,
  createApiClient,
  findFreePort,
  openMailbox,
  readRequestEmail,
  startBackends,
  startPnpmScript,
  waitUntil,
} from '@rc/testkit';

const keep = process.argv.includes('--keep');
const MAILBOX = 'approvals@rc.example';
const ASSIGNEE = 'alice@corp.example';
const API_TOKEN = 'demo-api-token-0123456789';

const t0 = Date.now();
let last = t0;
function stage(name: string, detail = ''): void {
  const now = Date.now();
  console.log(
    `${String(now - t0).padStart(7)} ms  (+${String(now - last).padStart(5)} ms)  ${name}${detail ? `  ${detail}` : ''}`,
  );
  last = now;
}

const backends = await startBackends();
const { redis, stack, engine } = backends;
stage(
  'local Redis, Dovecot, SMTP and a stand-in engine started',
  `redis ${redis.url}, imap :${stack.imap.port}, smtp :${stack.smtp.port}`,
);

const port = await findFreePort();
const env = {
  RC_REDIS_URL: redis.url,
  RC_SMTP_HOST: '127.0.0.1',
  RC_SMTP_PORT: String(stack.smtp.port),
  RC_SMTP_SECURITY: 'none',
  RC_MAILBOX_ADDRESS: MAILBOX,
  RC_IMAP_HOST: '127.0.0.1',
  RC_IMAP_PORT: String(stack.imap.port),
  RC_IMAP_SECURITY: 'none',
  RC_IMAP_USER: MAILBOX,
  RC_IMAP_PASSWORD: stack.password,
  RC_SIGNING_KEYS: `k1:${'d3m0'.repeat(10)}`,
  RC_STARTUP_DELAY: '0s',
  RC_WEBHOOK_URL: engine.url,
  RC_WEBHOOK_SECRET: 'demo-webhook-secret',
  RC_API_TOKEN: API_TOKEN,
  RC_HTTP_PORT: String(port),
};
const logDir = mkdtempSync(join(tmpdir(), 'rc-demo-'));
const logFile = join(logDir, 'remote-completion.log');
const app = startPnpmScript('start', env, { logFile });
const base = `http://127.0.0.1:${port}`;
const api = createApiClient(base, API_TOKEN);
await waitUntil(
  'readiness',
  // not listening yet is a refused connection: keep waiting
  async () => ((await fetch(`${base}/readyz`).catch(() => undefined))?.ok ? true : undefined),
  60_000,
);
stage('pnpm start is up: sender, poller, verifier, task-updater', `${base}  (logs: ${logFile})`);

async function shutdown(code: number): Promise<never> {
  await app.stop().catch(() => undefined);
  await backends.stop();
  process.exit(code);
}

try {
  const inbox = await openMailbox(stack, ASSIGNEE);
  const response = await api('POST', '/v1/completion-requests', {
    taskId: 'Applications/Release1/Phase2/Task3',
    title: 'Approve production deploy',
    release: { id: 'Release1', title: 'Shop 4.2' },
    assignees: [{ email: ASSIGNEE, name: 'Alice' }],
  });
  const { requestId } = response.json as { requestId: string };
  stage('request sent', `POST /v1/completion-requests → ${response.status} ${requestId}`);

  const raw = await inbox.waitFor(() => true, 30_000);
  const email = await readRequestEmail(raw);
  stage('email delivered', `to ${ASSIGNEE}: "${email.subject}"`);

  const rcInbox = await openMailbox(stack, MAILBOX);
  await answerWithButton(
    stack.smtp,
    `Alice <${ASSIGNEE}>`,
    email.completeLink,
    'Checked the dashboards, go ahead.\r\n',
  );
  stage('answer sent', 'Alice clicked "Complete task", added a comment, pressed send');

  await rcInbox.waitForCount(1, 30_000).catch(() => undefined);
  await rcInbox.waitForCount(0, 30_000);
  stage('picked up', 'the poller queued it and removed it from the mailbox');

  const outcome = await waitUntil('verification', async () => {
    const { json } = await api('GET', `/v1/inbound?requestId=${requestId}`);
    const { items } = json as { items: { outcome: string; reason: string | null }[] };
    return items[0];
  });
  stage('verified', `outcome ${outcome.outcome}${outcome.reason ? ` (${outcome.reason})` : ''}`);

  const [hook] = await engine.waitFor(1, 30_000);
  stage('engine told', `webhook ${JSON.stringify(hook?.json)}`);
  await Promise.all([inbox.close(), rcInbox.close()]);
  console.log(`\nround trip OK in ${Date.now() - t0} ms`);
  if (keep) {
    console.log(`\nstill running: ${base} (API token ${API_TOKEN}); Ctrl-C stops everything`);
    process.once('SIGINT', () => void shutdown(0));
  } else {
    await shutdown(0);
  }
} catch (error) {
  console.error(
    `demo failed: ${error instanceof Error ? error.message : String(error)} (logs: ${logFile})`,
  );
  await shutdown(1);
}

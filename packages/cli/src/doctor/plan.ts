import type { ServiceRole } from '@rc/runtime';
import type { EngineSelection } from '@rc/task-updater';
import type { DoctorCheck } from './check';
import { engineCheck } from './engine-check';
import { graphChecks } from './graph-check';
import { imapChecks } from './imap-check';
import { oauth2Check } from './oauth2-check';
import { redisCheck } from './redis-check';
import type { DoctorResources } from './resources';
import { sendTestCheck } from './send-test';
import { smtpChecks } from './smtp-check';

/**
 * The checks of every connection the given services would open with this configuration, in
 * the order they are printed: Redis first (everything needs it), the engine last.
 */
export function doctorChecks(
  resources: DoctorResources,
  roles: readonly ServiceRole[],
  options: { engine?: EngineSelection; sendTestTo?: string },
): DoctorCheck[] {
  const { config } = resources;
  const sends = roles.includes('sender');
  const polls = roles.includes('poller');
  const smtp = sends && config.mailTransport === 'smtp';
  const imap = polls && config.mailboxSource === 'imap';
  const graph =
    (sends && config.mailTransport === 'graph') || (polls && config.mailboxSource === 'graph');
  const xoauth2 =
    (smtp && config.smtp.auth === 'oauth2') || (imap && config.imap.auth === 'oauth2');
  const checks: DoctorCheck[] = [redisCheck(config.redisUrl, config.tlsCaFile)];
  if (xoauth2 && config.oauth2) checks.push(oauth2Check(resources, roles));
  if (smtp) checks.push(...smtpChecks(resources));
  if (imap) checks.push(...imapChecks(resources));
  if (graph && config.graph) checks.push(...graphChecks(resources, roles));
  if (options.engine && roles.includes('task-updater')) {
    checks.push(engineCheck(resources, options.engine));
  }
  if (options.sendTestTo) checks.push(sendTestCheck(resources, options.sendTestTo));
  return checks;
}

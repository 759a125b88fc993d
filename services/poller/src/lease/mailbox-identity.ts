import type { Config } from '@rc/runtime';
import type { MailboxSource } from '../adapters/mailbox-source';

/**
 * What the lease is per: one mailbox folder, whichever way it is reached. Users and hosts are
 * case-insensitive, folder names are not (RFC 3501 5.1, INBOX aside).
 */
export function mailboxIdentity(
  config: Pick<Config, 'imap' | 'graph'>,
  source: Pick<MailboxSource, 'kind' | 'name'>,
): string {
  if (source.kind === 'imap' && config.imap)
    return `imap:${config.imap.user.toLowerCase()}@${config.imap.host.toLowerCase()}:${config.imap.port}/${config.imap.folder}`;
  if (source.kind === 'graph' && config.graph)
    return `graph:${config.graph.user.toLowerCase()}/${config.graph.folder}`;
  return `${source.kind}:${source.name}`;
}

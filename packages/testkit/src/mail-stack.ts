import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDovecot, type DovecotInstance } from './dovecot';
import { onProcessExit } from './exit-cleanup';
import { startSmtpRelay } from './smtp-relay';

export interface MailStack {
  /** accepts mail for any address, AUTH optional (any credentials), no TLS */
  smtp: { host: '127.0.0.1'; port: number };
  /** Dovecot IMAP, plaintext; every address is a user */
  imap: { host: '127.0.0.1'; port: number };
  lmtpPort: number;
  /** the one password every IMAP user has */
  password: string;
  credentialsFor(address: string): { user: string; pass: string };
  /** how many messages the SMTP side accepted (and Dovecot stored) so far */
  accepted(): number;
  /** restarts Dovecot on the same ports, keeping the mail: every IMAP session is cut */
  restartDovecot(): Promise<void>;
  stop(): Promise<void>;
}

export interface MailStackOptions {
  /**
   * Bearer tokens for IMAP (XOAUTH2/OAUTHBEARER) and SMTP (XOAUTH2), checked by RFC 7662
   * introspection at this URL, e.g. `(await startMicrosoftFake()).introspectionUrl`.
   */
  oauth2?: { introspectionUrl: string };
}

/**
 * Starts a private Dovecot plus an in-process SMTP server that delivers every message over LMTP
 * before answering 250, so a successful send means the message is already in the mailbox.
 */
export async function startMailStack(options: MailStackOptions = {}): Promise<MailStack> {
  // Short prefix: Dovecot's unix sockets live below this dir and sun_path is limited to 108 bytes.
  const root = await mkdtemp(path.join(os.tmpdir(), 'rc-mail-'));
  let dovecot: DovecotInstance | undefined;
  try {
    const introspectionUrl = options.oauth2?.introspectionUrl;
    const oauth2 = introspectionUrl ? { oauth2IntrospectionUrl: introspectionUrl } : {};
    dovecot = await startDovecot(root, oauth2);
    const started = dovecot;
    const relay = await startSmtpRelay({ host: '127.0.0.1', port: started.lmtpPort }, oauth2);
    // Registered after Dovecot's own kill hook, so on an abrupt exit the files go after the daemon.
    const unhook = onProcessExit(() => rmSync(root, { recursive: true, force: true }));

    let stopping: Promise<void> | undefined;
    return {
      smtp: { host: '127.0.0.1', port: relay.port },
      imap: { host: '127.0.0.1', port: started.imapPort },
      lmtpPort: started.lmtpPort,
      password: started.password,
      credentialsFor: (address) => ({ user: address, pass: started.password }),
      accepted: () => relay.accepted(),
      restartDovecot: () => started.restart(),
      stop() {
        stopping ??= (async () => {
          await relay.stop();
          await started.stop();
          await rm(root, { recursive: true, force: true });
          unhook();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await dovecot?.stop();
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}

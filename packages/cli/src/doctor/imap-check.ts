import { ImapFlow } from 'imapflow';
import { tlsTrustOptions } from '@rc/runtime';
import { CheckProblem, type DoctorCheck, type Finding } from './check';
import { IMAP, probeMailPort } from './port-probe';
import type { DoctorResources } from './resources';

const WAIT_MS = 5_000;

function loginProblem(error: unknown, resources: DoctorResources): CheckProblem {
  const { imap } = resources.config;
  const { authenticationFailed, responseText, serverResponseCode } = error as {
    authenticationFailed?: boolean;
    responseText?: string;
    serverResponseCode?: string;
  };
  const said = [serverResponseCode, responseText].filter(Boolean).join(' ');
  if (!authenticationFailed) {
    return new CheckProblem(`IMAP login failed: ${said || (error as Error).message}`);
  }
  return imap.auth === 'oauth2'
    ? new CheckProblem(
        `the IMAP server refused the XOAUTH2 token for ${imap.user}${said ? ` (${said})` : ''}`,
        'RC_IMAP_USER must be the signed-in user (or a mailbox it has FullAccess to), with IMAP.AccessAsUser.All granted and IMAP enabled for the mailbox',
      )
    : new CheckProblem(
        `the IMAP server refused the login of ${imap.user}${said ? ` (${said})` : ''}`,
        'check RC_IMAP_USER and RC_IMAP_PASSWORD (or RC_IMAP_PASSWORD_FILE)',
      );
}

function folderFinding(
  check: string,
  folder: string,
  paths: string[],
  missing: Omit<Finding, 'check' | 'detail'> & { fix: string },
): Finding {
  const found = paths.find((path) =>
    folder.toUpperCase() === 'INBOX' ? path.toUpperCase() === 'INBOX' : path === folder,
  );
  if (found) return { check, status: 'ok', detail: `the folder "${found}" exists` };
  const near = paths.find((path) => path.toLowerCase() === folder.toLowerCase());
  return {
    check,
    detail: `there is no folder "${folder}" (the mailbox has ${paths.slice(0, 8).join(', ')}${paths.length > 8 ? ', …' : ''})`,
    ...missing,
    fix: near ? `folder names are case-sensitive: it is "${near}"; ${missing.fix}` : missing.fix,
  };
}

/** RC_IMAP_*: what the port speaks, then a login as the poller does it, and its folders. */
export function imapChecks(resources: DoctorResources): DoctorCheck[] {
  const { config } = resources;
  const { imap, afterProcessing } = config;
  const hangFix = 'check RC_IMAP_HOST and RC_IMAP_PORT: a firewall may drop the connection';
  return [
    {
      name: 'imap connection',
      hangFix,
      run: (signal) =>
        probeMailPort(
          IMAP,
          {
            host: imap.host,
            port: imap.port,
            security: imap.security,
            tlsCaFile: config.tlsCaFile,
          },
          signal,
        ),
    },
    {
      name: 'imap login',
      needs: imap.auth === 'oauth2' ? ['imap connection', 'oauth2'] : ['imap connection'],
      hangFix,
      async run(signal): Promise<Finding[]> {
        const client = new ImapFlow({
          host: imap.host,
          port: imap.port,
          secure: imap.security === 'tls',
          doSTARTTLS:
            imap.security === 'starttls' ? true : imap.security === 'none' ? false : undefined,
          auth:
            imap.auth === 'oauth2'
              ? { user: imap.user, accessToken: await resources.tokens().getAccessToken() }
              : { user: imap.user, pass: imap.password ?? '' },
          tls: tlsTrustOptions(config.tlsCaFile),
          logger: false,
          disableAutoIdle: true,
          connectionTimeout: WAIT_MS,
          greetingTimeout: WAIT_MS,
          socketTimeout: WAIT_MS * 2,
        });
        client.on('error', () => undefined); // the failing command says it
        signal.addEventListener('abort', () => client.close(), { once: true });
        try {
          await client.connect().catch((error: unknown) => {
            throw loginProblem(error, resources);
          });
          const paths = (await client.list()).map((box) => box.path);
          const lines: Finding[] = [
            { status: 'ok', detail: `${imap.user} logged in at ${imap.host}:${imap.port}` },
            folderFinding('imap folder', imap.folder, paths, {
              status: 'fail',
              fix: 'create the folder, or set RC_IMAP_FOLDER to the one users write to (usually INBOX)',
            }),
          ];
          if (afterProcessing.kind === 'move') {
            lines.push(
              folderFinding('imap move folder', afterProcessing.folder, paths, {
                status: 'warn',
                fix: `the poller creates it at start; if the account may not create folders, create "${afterProcessing.folder}" yourself or change RC_AFTER_PROCESSING`,
              }),
            );
          }
          await client.logout().catch(() => undefined);
          return lines;
        } finally {
          client.close();
        }
      },
    },
  ];
}

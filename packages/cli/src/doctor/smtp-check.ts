import { createSmtpTransport } from '@rc/sender';
import { CheckProblem, type DoctorCheck } from './check';
import { probeMailPort, SMTP } from './port-probe';
import type { DoctorResources } from './resources';

/** The reply code nodemailer quotes (535, 534, …), for the line. */
function replyCodeOf(error: unknown): number | undefined {
  const cause = (error as { cause?: { responseCode?: unknown } }).cause;
  return typeof cause?.responseCode === 'number' ? cause.responseCode : undefined;
}

function loginProblem(error: unknown, resources: DoctorResources): CheckProblem {
  const { smtp } = resources.config;
  const code = replyCodeOf(error);
  const reply = code ? ` (${code})` : '';
  if ((error as { code?: string }).code !== 'AUTH_FAILED') {
    return new CheckProblem(
      `the SMTP server failed the check${reply}: ${(error as Error).message}`,
    );
  }
  return smtp.auth === 'oauth2'
    ? new CheckProblem(
        `the SMTP server refused the XOAUTH2 token for ${smtp.user ?? resources.config.mailboxAddress}${reply}`,
        'sign in as the mailbox user itself (RC_SMTP_USER names it), with SMTP.Send granted; Exchange Online also needs SMTP AUTH enabled for the mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $false)',
      )
    : new CheckProblem(
        `the SMTP server refused the login of ${smtp.user ?? '(no user)'}${reply}`,
        'check RC_SMTP_USER and RC_SMTP_PASSWORD (or RC_SMTP_PASSWORD_FILE)',
      );
}

/** RC_SMTP_*: what the port speaks, then a login through the sender's own transport. */
export function smtpChecks(resources: DoctorResources): DoctorCheck[] {
  const { config } = resources;
  const { smtp } = config;
  const hangFix = 'check RC_SMTP_HOST and RC_SMTP_PORT: a firewall may drop the connection';
  return [
    {
      name: 'smtp connection',
      hangFix,
      run: (signal) =>
        probeMailPort(
          SMTP,
          {
            host: smtp.host,
            port: smtp.port,
            security: smtp.security,
            tlsCaFile: config.tlsCaFile,
          },
          signal,
        ),
    },
    {
      name: 'smtp login',
      needs: smtp.auth === 'oauth2' ? ['smtp connection', 'oauth2'] : ['smtp connection'],
      hangFix,
      async run(signal) {
        const transport = createSmtpTransport(config, resources.logger, {
          tokens: smtp.auth === 'oauth2' ? resources.tokens() : undefined,
        });
        signal.addEventListener('abort', () => transport.close(), { once: true });
        try {
          await transport.verify();
        } catch (error) {
          throw loginProblem(error, resources);
        } finally {
          transport.close();
        }
        const who =
          smtp.auth === 'oauth2'
            ? `XOAUTH2 as ${smtp.user ?? config.mailboxAddress}`
            : smtp.user
              ? `password login as ${smtp.user}`
              : 'no login (RC_SMTP_USER unset)';
        return { status: 'ok', detail: `${smtp.host}:${smtp.port} accepts ${who}` };
      },
    },
  ];
}

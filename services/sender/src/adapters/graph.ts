import { CodedError } from '@rc/contracts';
import { graphPath, sharedGraphClient, type SharedGraph } from '@rc/microsoft';
import type { Config, Logger } from '@rc/runtime';
import { buildMime } from './build-mime';
import type { MailTransport, OutgoingMail } from './mail-transport';
import { readinessReporter } from './readiness-reporter';

/**
 * Graph's `sendMail` in its MIME form takes the whole message base64-encoded in one request body.
 * Microsoft documents no exact cap for it; about 4 MB per request is what is reported
 * (../shared/MICROSOFT-365.md, "Send"). A message over it is refused before any call is made.
 */
export const GRAPH_SENDMAIL_MAX_BASE64_BYTES = 4 * 1024 * 1024;

/** A successful mailbox check holds this long: /readyz is probed often, Outlook counts calls. */
const MAILBOX_CHECK_VALID_MS = 5 * 60_000;

/** What the Graph transport reads from the configuration. */
export type GraphTransportConfig = Pick<Config, 'graph' | 'tlsCaFile' | 'mailDebug'>;

/**
 * RC_MAIL_TRANSPORT=graph: `POST /users/{RC_GRAPH_USER}/sendMail` with the very MIME the SMTP
 * path sends (build-mime.ts), so the signed Message-ID, Reply-To and Auto-Submitted survive:
 * only the MIME form keeps our own headers. Throttling (4 in flight, Retry-After for the whole
 * mailbox) is the shared client's, the same one the Graph poller of this process uses.
 */
export function createGraphTransport(
  config: GraphTransportConfig,
  logger: Logger,
  options: { graph?: SharedGraph } = {},
): MailTransport {
  const { graph } = config;
  if (!graph) {
    throw new CodedError('RC_MAIL_TRANSPORT=graph needs the RC_GRAPH_* settings', 'CONFIG_INVALID');
  }
  const { tokens, client } =
    options.graph ??
    sharedGraphClient({
      graph,
      tlsCaFile: config.tlsCaFile,
      trace: config.mailDebug ? logger.child({ protocol: 'graph' }) : undefined,
    });
  const sendMailPath = graphPath`/users/${graph.user}/sendMail`;
  const mailboxPath = `${graphPath`/users/${graph.user}/mailFolders/inbox`}?$select=id`;
  const readiness = readinessReporter(logger, 'graph');
  let mailboxCheckedAt = 0;

  return {
    async send(mail: OutgoingMail) {
      const body = (await buildMime(mail)).toString('base64');
      if (body.length > GRAPH_SENDMAIL_MAX_BASE64_BYTES) {
        throw new CodedError(
          `the message is ${body.length} bytes in base64; Graph sendMail takes at most ${GRAPH_SENDMAIL_MAX_BASE64_BYTES} in one request`,
          'MAIL_TOO_LARGE',
        );
      }
      // 202 Accepted: queued by Exchange, not yet delivered; failures after it become bounces.
      await client.request({
        method: 'POST',
        path: sendMailPath,
        body,
        contentType: 'text/plain',
        failureCode: 'MAIL_SEND_FAILED',
      });
    },
    async verify() {
      await readiness.check(async () => {
        // The app token first: bad credentials give Entra's code and the fix in one line.
        await tokens.getToken();
        if (Date.now() - mailboxCheckedAt < MAILBOX_CHECK_VALID_MS) return;
        await client.request({ path: mailboxPath, failureCode: 'MAILBOX_UNAVAILABLE' });
        mailboxCheckedAt = Date.now();
      });
    },
    close() {
      // The client is shared with the rest of the process and holds no connection of its own.
    },
  };
}

import { randomUUID } from 'node:crypto';
import { createGraphTransport, createSmtpTransport, OUTBOUND_HEADERS } from '@rc/sender';
import { CheckProblem, type DoctorCheck } from './check';
import type { DoctorResources } from './resources';

/**
 * `--send-test ADDRESS`: one real email through the transport the sender uses, so what arrives
 * (or bounces) shows the whole path: From, relay or Graph, spam filters, the recipient's mailbox.
 */
export function sendTestCheck(resources: DoctorResources, address: string): DoctorCheck {
  const { config } = resources;
  const viaGraph = config.mailTransport === 'graph';
  return {
    name: 'send test',
    needs: [viaGraph ? 'graph mailbox' : 'smtp login'],
    hangFix: 'the mail server accepted the connection but not the message in time',
    async run(signal) {
      const transport = viaGraph
        ? createGraphTransport(config, resources.logger)
        : createSmtpTransport(config, resources.logger, {
            tokens: config.smtp.auth === 'oauth2' ? resources.tokens() : undefined,
          });
      signal.addEventListener('abort', () => transport.close(), { once: true });
      const domain = config.mailFrom.split('@').pop() ?? 'localhost';
      const messageId = `<rc-doctor-${randomUUID()}@${domain}>`;
      const sentAt = new Date().toISOString();
      try {
        await transport.send({
          from: config.mailFrom,
          to: { address },
          replyTo: config.mailboxAddress,
          subject: 'remote-completion: test email from rc doctor',
          text: [
            `This is a test email sent by \`rc doctor --send-test\` at ${sentAt}.`,
            '',
            `It left through ${viaGraph ? `Microsoft Graph as ${config.graph?.user}` : `SMTP at ${config.smtp.host}:${config.smtp.port}`},`,
            `from ${config.mailFrom}; answers go to ${config.mailboxAddress}.`,
            'Nothing needs to be done with it.',
          ].join('\n'),
          messageId,
          headers: { ...OUTBOUND_HEADERS },
        });
      } catch (error) {
        throw new CheckProblem(
          `the test email to ${address} was refused: ${error instanceof Error ? error.message : String(error)}`,
          'see the reply above: a relay may refuse the From address (RC_MAIL_FROM) or the recipient',
        );
      } finally {
        transport.close();
      }
      return { status: 'ok', detail: `sent to ${address}, Message-ID ${messageId}` };
    },
  };
}

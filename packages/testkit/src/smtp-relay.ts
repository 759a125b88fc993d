import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface SmtpRelay {
  port: number;
  accepted(): number;
  stop(): Promise<void>;
}

export interface SmtpRelayOptions {
  /**
   * Also offer AUTH XOAUTH2 and accept a bearer token only when this RFC 7662 introspection
   * endpoint reports it active for the same user (PLAIN/LOGIN still accept anything).
   */
  oauth2IntrospectionUrl?: string;
}

/** The error smtp-server turns into the SMTP reply: responseCode picks the reply code. */
type SmtpReplyError = Error & { responseCode?: number };

/**
 * An SMTP server for any address that relays each message over LMTP and answers 250 only after
 * the LMTP server stored it, so a client's successful send means "it is in the mailbox".
 */
export async function startSmtpRelay(
  lmtp: { host: string; port: number },
  options: SmtpRelayOptions = {},
): Promise<SmtpRelay> {
  const transport = nodemailer.createTransport({
    pool: true,
    host: lmtp.host,
    port: lmtp.port,
    lmtp: true,
    secure: false,
    // Dovecot with ssl=no offers no STARTTLS; never try it.
    ignoreTLS: true,
    maxConnections: 5,
    // The default of 100 messages per connection costs a reconnect and halves throughput.
    maxMessages: Infinity,
    logger: false,
  });

  let acceptedCount = 0;

  const relay = async (stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const mailFrom = session.envelope.mailFrom;
    const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
    let info: { rejected: unknown[]; rejectedErrors?: Error[] };
    try {
      info = await transport.sendMail({
        envelope: { from: mailFrom ? mailFrom.address : '', to },
        raw,
      });
    } catch (err) {
      const reply: SmtpReplyError = new Error(`LMTP delivery failed: ${(err as Error).message}`);
      reply.responseCode = (err as { responseCode?: number }).responseCode ?? 451;
      throw reply;
    }
    // LMTP answers per recipient but SMTP has one reply after DATA: any rejected recipient fails
    // the message, which is what a test wants to see (no silent partial delivery).
    if (info.rejected.length > 0) {
      const reasons = (info.rejectedErrors ?? []).map((e) => e.message).join('; ');
      const reply: SmtpReplyError = new Error(
        `LMTP rejected ${info.rejected.length} recipient(s): ${reasons}`,
      );
      reply.responseCode = 550;
      throw reply;
    }
    acceptedCount++;
  };

  const server = new SMTPServer({
    name: 'rc-testkit',
    authOptional: true,
    // No TLS at all: AUTH must be allowed over plaintext, and STARTTLS must not be advertised or
    // nodemailer clients would try to upgrade against the built-in self-signed certificate.
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 1_000,
    authMethods: options.oauth2IntrospectionUrl
      ? ['PLAIN', 'LOGIN', 'XOAUTH2']
      : ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      const introspectionUrl = options.oauth2IntrospectionUrl;
      if (auth.method !== 'XOAUTH2' || !introspectionUrl) {
        callback(null, { user: auth.username ?? 'anonymous' });
        return;
      }
      tokenBelongsTo(introspectionUrl, auth.accessToken ?? '', auth.username ?? '').then(
        (valid) =>
          // RFC 7628 / Google's XOAUTH2: a refused token gets a JSON challenge, then 535.
          valid
            ? callback(null, { user: auth.username })
            : callback(null, { data: { status: '401', schemes: 'bearer', scope: 'SMTP.Send' } }),
        (err: Error) => callback(err),
      );
    },
    onData(stream, session, callback) {
      relay(stream, session).then(
        () => callback(),
        (err: Error) => callback(err),
      );
    },
  });
  // Without a listener a client that drops mid-session crashes the test process.
  server.on('error', () => undefined);

  try {
    await listen(server);
  } catch (err) {
    transport.close();
    throw err;
  }
  const port = (server.server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  return {
    port,
    accepted: () => acceptedCount,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => {
          transport.close();
          resolve();
        });
      });
      return stopping;
    },
  };
}

function listen(server: SMTPServer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.server.once('error', onError);
    // Port 0: the kernel picks a free port atomically, so there is no race to retry.
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', onError);
      resolve();
    });
  });
}

async function tokenBelongsTo(
  introspectionUrl: string,
  token: string,
  user: string,
): Promise<boolean> {
  const response = await fetch(introspectionUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  const answer = (await response.json()) as { active?: unknown; email?: unknown };
  return (
    answer.active === true &&
    typeof answer.email === 'string' &&
    answer.email.toLowerCase() === user.toLowerCase()
  );
}

import net from 'node:net';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startMailStack,
  startMicrosoftFake,
  type MailStack,
  type MicrosoftFake,
} from '../src/index';
import { sleep } from '../src/wait';

const USER = 'approver@contoso.test';

let ms: MicrosoftFake;
let stack: MailStack;

beforeAll(async () => {
  ms = await startMicrosoftFake();
  ms.registerApp({ clientId: 'rc-mail' });
  stack = await startMailStack({ oauth2: { introspectionUrl: ms.introspectionUrl } });
});

afterAll(async () => {
  await stack?.stop();
  await ms?.close();
});

async function imapLogin(auth: {
  user: string;
  accessToken?: string;
  pass?: string;
}): Promise<void> {
  const client = new ImapFlow({
    host: stack.imap.host,
    port: stack.imap.port,
    secure: false,
    auth,
    logger: false,
  });
  // Without a listener a refused login also surfaces as an 'error' event.
  client.on('error', () => undefined);
  await client.connect();
  await client.mailboxOpen('INBOX');
  await client.logout();
}

/** AUTHENTICATE XOAUTH2 by hand: Outlook offers only this one, imapflow picks OAUTHBEARER here. */
function imapXoauth2(user: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(stack.imap.port, stack.imap.host);
    const sasl = Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
    let buffer = '';
    let sent = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (!sent && buffer.includes('\r\n')) {
        sent = true;
        socket.write(`a1 AUTHENTICATE XOAUTH2 ${sasl}\r\n`);
      }
      // A failure may first send a `+` challenge, which a client answers with an empty line.
      if (/\r\n\+ [^\r\n]*\r\n$/.test(buffer)) socket.write('\r\n');
      const done = /\r\na1 (OK|NO|BAD)[^\r\n]*\r\n/.exec(buffer);
      if (done) {
        socket.end('a2 LOGOUT\r\n');
        resolve(done[1]!);
      }
    });
    socket.on('error', reject);
  });
}

async function smtpSend(
  auth: { user: string; accessToken: string },
  subject: string,
): Promise<void> {
  const transport = nodemailer.createTransport({
    host: stack.smtp.host,
    port: stack.smtp.port,
    secure: false,
    ignoreTLS: true,
    auth: { type: 'OAuth2', ...auth },
  });
  try {
    await transport.sendMail({ from: auth.user, to: USER, subject, text: 'hello' });
  } finally {
    transport.close();
  }
}

describe('XOAUTH2 against the private Dovecot and SMTP relay', () => {
  it('accepts a live Outlook-audience token over IMAP (OAUTHBEARER and XOAUTH2) and SMTP', async () => {
    const token = ms.issueAccessToken(USER);
    await imapLogin({ user: USER, accessToken: token });
    expect(await imapXoauth2(USER, token)).toBe('OK');
    const before = stack.accepted();
    await smtpSend({ user: USER, accessToken: token }, 'over xoauth2');
    expect(stack.accepted()).toBe(before + 1);
  });

  it('keeps password logins working', async () => {
    await imapLogin({ user: USER, pass: stack.password });
  });

  it('refuses a revoked token on both', async () => {
    const token = ms.issueAccessToken(USER);
    ms.revokeAccessToken(token);
    await expect(imapLogin({ user: USER, accessToken: token })).rejects.toThrow();
    expect(await imapXoauth2(USER, token)).toBe('NO');
    await expect(smtpSend({ user: USER, accessToken: token }, 'revoked')).rejects.toMatchObject({
      code: 'EAUTH',
    });
  });

  it('refuses an expired token, a token of another user and a Graph token', async () => {
    const expiring = ms.issueAccessToken(USER, { lifetimeSeconds: 0.2 });
    await sleep(300);
    expect(await imapXoauth2(USER, expiring)).toBe('NO');
    await expect(smtpSend({ user: USER, accessToken: expiring }, 'expired')).rejects.toMatchObject({
      code: 'EAUTH',
    });
    const someoneElse = ms.issueAccessToken('other@contoso.test');
    expect(await imapXoauth2(USER, someoneElse)).toBe('NO');
    await expect(smtpSend({ user: USER, accessToken: someoneElse }, 'other')).rejects.toMatchObject(
      {
        code: 'EAUTH',
      },
    );
    const graphToken = ms.issueAccessToken(USER, {
      scopes: ['https://graph.microsoft.com/Mail.Send'],
    });
    expect(await imapXoauth2(USER, graphToken)).toBe('NO');
  });
});

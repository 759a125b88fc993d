import net from 'node:net';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findFreePort,
  openMailbox,
  sendTestMail,
  startMailStack,
  startRedis,
  startWebhookReceiver,
  type MailStack,
} from '../src/index';

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('findFreePort', () => {
  it('returns a port nobody listens on', async () => {
    const port = await findFreePort();
    expect(port).toBeGreaterThan(0);
    expect(await canConnect(port)).toBe(false);
  });
});

describe('startRedis', () => {
  it('answers PING and stop() frees the port', async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');
    } finally {
      client.disconnect();
    }
    await redis.stop();
    await redis.stop();
    expect(await canConnect(redis.port)).toBe(false);
  });

  it('starts with appendonly', async () => {
    const redis = await startRedis({ appendonly: true });
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await client.connect();
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });
});

describe('startMailStack', () => {
  let stack: MailStack;
  beforeAll(async () => {
    stack = await startMailStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('delivers a message sent over SMTP into the recipient INBOX', async () => {
    const box = await openMailbox(stack, 'rc@rc.example');
    try {
      expect(await box.count()).toBe(0);
      const { messageId } = await sendTestMail(stack.smtp, {
        from: 'tester@example.org',
        to: 'rc@rc.example',
        subject: 'hello stack',
        text: 'first body',
        headers: { 'X-Test-Marker': 'one' },
      });
      expect(messageId).toMatch(/^<.+>$/);
      // A 250 from the SMTP side means Dovecot already stored it.
      expect(stack.accepted()).toBe(1);
      const source = await box.waitFor((raw) => raw.toString().includes(messageId), 5_000);
      expect(source.toString()).toContain('Subject: hello stack');
      expect(source.toString()).toContain('X-Test-Marker: one');
      expect(await box.count()).toBe(1);

      await box.append(
        'From: a@example.org\r\nTo: rc@rc.example\r\nSubject: appended\r\n\r\nbody\r\n',
      );
      await box.waitForCount(2, 2_000);
      const listed = await box.list();
      expect(listed).toHaveLength(2);
      expect(listed[0]!.uid).toBeLessThan(listed[1]!.uid);
      expect(listed[1]!.source.toString()).toContain('Subject: appended');
    } finally {
      await box.close();
      await box.close();
    }
  });

  it('keeps mailboxes of different recipients apart and accepts AUTH and raw mail', async () => {
    const other = await openMailbox(stack, 'someone.else@other.example');
    try {
      await sendTestMail(stack.smtp, {
        from: 'tester@example.org',
        to: 'someone.else@other.example',
        envelope: { from: 'bounce@example.org', to: ['someone.else@other.example'] },
        raw: 'Message-ID: <raw-1@example.org>\r\nFrom: tester@example.org\r\nTo: someone.else@other.example\r\nSubject: raw one\r\n\r\nraw body\r\n',
      }).then(({ messageId }) => expect(messageId).toBe('<raw-1@example.org>'));
      const source = await other.waitFor(
        (raw) => raw.toString().includes('Subject: raw one'),
        5_000,
      );
      expect(source.toString()).toContain('raw body');
      expect(await other.count()).toBe(1);

      // Clients under test may log in: any credentials are accepted over plaintext.
      const authed = nodemailer.createTransport({
        host: stack.smtp.host,
        port: stack.smtp.port,
        secure: false,
        auth: { user: 'anyone', pass: 'anything' },
      });
      try {
        await authed.sendMail({
          from: 'rc@rc.example',
          to: 'someone.else@other.example',
          subject: 'with auth',
          text: 'authed',
        });
      } finally {
        authed.close();
      }
      await other.waitForCount(2, 2_000);

      const first = await openMailbox(stack, 'rc@rc.example');
      try {
        const messages = await first.list();
        expect(messages.some((m) => m.source.toString().includes('raw one'))).toBe(false);
      } finally {
        await first.close();
      }
    } finally {
      await other.close();
    }
  });

  it('rejects waitFor after the timeout with a clear error', async () => {
    const box = await openMailbox(stack, 'empty@rc.example');
    try {
      await expect(box.waitFor(() => false, 300)).rejects.toThrow(
        /no message matching.*empty@rc.example/,
      );
    } finally {
      await box.close();
    }
  });

  it('opens and creates a folder other than INBOX', async () => {
    const sent = await openMailbox(stack, 'rc@rc.example', 'Sent');
    try {
      await sent.append(
        'From: rc@rc.example\r\nTo: x@example.org\r\nSubject: sent copy\r\n\r\nbody\r\n',
      );
      await sent.waitForCount(1, 2_000);
    } finally {
      await sent.close();
    }
  });

  it('refuses a wrong IMAP password', async () => {
    await expect(
      openMailbox(
        { imap: stack.imap, credentialsFor: (user) => ({ user, pass: 'wrong' }) },
        'rc@rc.example',
      ),
    ).rejects.toThrow(/openMailbox/);
  });
});

describe('startMailStack stop', () => {
  it('frees the ports and tolerates a second stop()', async () => {
    const started = Date.now();
    const stack = await startMailStack();
    const startMs = Date.now() - started;
    expect(startMs).toBeLessThan(10_000);
    await stack.stop();
    await stack.stop();
    expect(await canConnect(stack.imap.port)).toBe(false);
    expect(await canConnect(stack.lmtpPort)).toBe(false);
    expect(await canConnect(stack.smtp.port)).toBe(false);
  });
});

describe('startWebhookReceiver', () => {
  it('records body and headers and honours respondWith', async () => {
    const hook = await startWebhookReceiver();
    try {
      expect(hook.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hook$/);
      const body = JSON.stringify({ event: 'released', id: 7 });
      const ok = await fetch(hook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': 'sig-1' },
        body,
      });
      expect(ok.status).toBe(200);

      hook.respondWith(500);
      const failed = await fetch(hook.url, { method: 'POST', body: 'not json' });
      expect(failed.status).toBe(500);

      hook.respondWith((_req, index) => (index === 2 ? 409 : 202));
      const pending = hook.waitFor(3, 2_000);
      expect((await fetch(`${hook.url}/x`, { method: 'PUT', body: '{}' })).status).toBe(409);
      const calls = await pending;

      expect(calls).toHaveLength(3);
      expect(calls[0]!.rawBody).toBe(body);
      expect(calls[0]!.json).toEqual({ event: 'released', id: 7 });
      expect(calls[0]!.headers['x-signature']).toBe('sig-1');
      expect(calls[0]!.method).toBe('POST');
      expect(calls[0]!.path).toBe('/hook');
      expect(calls[1]!.json).toBeUndefined();
      expect(calls[2]!.path).toBe('/hook/x');
      await expect(hook.waitFor(4, 100)).rejects.toThrow(/3 of 4/);
    } finally {
      await hook.stop();
      await hook.stop();
    }
  });
});

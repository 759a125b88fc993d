import { createRequire } from 'node:module';

/**
 * The raw libraries the product itself uses, loaded from the very packages that depend on
 * them (the root has no dependencies of its own): mailparser from @rc/mail, nodemailer from
 * @rc/testkit. Same versions, same code; only our layers are missing.
 */
const fromMail = createRequire(new URL('../packages/mail/package.json', import.meta.url));
const fromTestkit = createRequire(new URL('../packages/testkit/package.json', import.meta.url));

type SimpleParser = (source: Buffer | string) => Promise<unknown>;
interface Transport {
  sendMail(mail: { envelope: { from: string; to: string[] }; raw: Buffer }): Promise<unknown>;
  close(): void;
}

const { simpleParser } = fromMail('mailparser') as { simpleParser: SimpleParser };
const nodemailer = fromTestkit('nodemailer') as {
  createTransport(options: Record<string, unknown>): Transport;
};

/** Raw simpleParser, one message after another on this one core: messages per second. */
export async function rawParseRate(messages: readonly string[]): Promise<number> {
  const buffers = messages.map((message) => Buffer.from(message));
  for (const buffer of buffers.slice(0, 200)) await simpleParser(buffer); // warm-up (JIT)
  const start = performance.now();
  for (const buffer of buffers) await simpleParser(buffer);
  return (buffers.length * 1000) / (performance.now() - start);
}

/**
 * A pooled nodemailer loop (the sender's pool settings: 5 connections, unlimited messages per
 * connection) sending `count` copies of `raw`, all handed over at once: messages per second.
 */
export async function rawSendRate(
  smtp: { host: string; port: number },
  raw: Buffer,
  envelope: { from: string; to: string[] },
  count: number,
): Promise<number> {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 5,
    maxMessages: Infinity,
  });
  const start = performance.now();
  await Promise.all(Array.from({ length: count }, () => transport.sendMail({ envelope, raw })));
  const ms = performance.now() - start;
  transport.close();
  return (count * 1000) / ms;
}

/** A pooled raw sender for the load generator (answers at a steady rate). */
export function answerSender(smtp: { host: string; port: number }) {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 4,
    maxMessages: Infinity,
  });
  return {
    send: (raw: string, from: string, to: string | string[]) =>
      transport.sendMail({ envelope: { from, to: [to].flat() }, raw: Buffer.from(raw) }),
    close: () => transport.close(),
  };
}

import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parseInboundMessage, type ParsedMessage } from '../src/index';

export const FIXTURES = new URL('../fixtures/', import.meta.url);

/** Literal tokens pasted into the fixtures: right shape, fixed values (syntax only). */
export const FIXTURE_TOKENS = {
  complete: 'rc-k1-c7d3xq9m2pa4z-h5k8w2ndr6tq0v3b',
  fail: 'rc-k1-f7d3xq9m2pa4z-9gm4c1yws7ke2fjx',
  reply: 'rc-k1-r7d3xq9m2pa4z-2b8e6mvt0ahw5s9q',
} as const;

export function readFixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

export async function parseFixture(name: string): Promise<ParsedMessage> {
  return parseRaw(readFixture(name));
}

export async function parseRaw(raw: Buffer | string): Promise<ParsedMessage> {
  const result = await parseInboundMessage(Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8'));
  if (!result.ok) expect.fail(`expected a message, got malformed: ${result.detail}`);
  return result.message;
}

/** A raw message from header lines and a body, with CRLF line ends. */
export function rawMessage(headers: string[], body = 'Hello\n'): string {
  return `${headers.join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}`;
}

/** A ParsedMessage for classifier tests, without going through MIME. */
export function messageWith(
  overrides: Partial<ParsedMessage> & { headerList?: [string, string][] },
): ParsedMessage {
  const { headerList = [], ...rest } = overrides;
  const headers = new Map<string, string[]>();
  for (const [name, value] of headerList) {
    const key = name.toLowerCase();
    headers.set(key, [...(headers.get(key) ?? []), value]);
  }
  return {
    from: { address: 'alice@corp.example', name: 'Alice' },
    fromHeaderCount: 1,
    replyTo: [],
    to: [{ address: 'rc@corp.example', name: '' }],
    cc: [],
    subject: 'Re: Approval needed: Approve production deploy',
    messageId: '<1@corp.example>',
    inReplyTo: [],
    references: [],
    date: null,
    text: 'Approved',
    html: '',
    headers,
    contentType: 'text/plain',
    attachmentsCount: 0,
    attachmentTypes: [],
    attachmentNames: [],
    calendarMethods: [],
    ...rest,
  };
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { normalizeAddress, parseInboundMessage } from '../src/index';
import { FIXTURES, parseRaw, rawMessage } from './helpers';

function emlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return emlFiles(path);
    return name.endsWith('.eml') ? [path] : [];
  });
}

const reference = (raw: Buffer): Promise<ParsedMail> =>
  simpleParser(raw, {
    skipHtmlToText: true,
    skipTextToHtml: true,
    keepCidLinks: true,
    keepDeliveryStatus: true,
  });

const calendar = (method: string, padding = '') =>
  Buffer.from(
    `BEGIN:VCALENDAR\r\nPRODID:-//Test//EN\r\n${padding}METHOD:${method}\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n`,
  )
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');

function withParts(parts: string[]): Buffer {
  const head = [
    'From: Alice <alice@corp.example>',
    'To: approvals@rc.example',
    'Subject: Re: Approve deploy',
    'Message-ID: <parts@corp.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
  ];
  const body = parts.map((part) => `--b1\r\n${part}\r\n`).join('') + '--b1--\r\n';
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`);
}

describe('attachments are drained, not collected', () => {
  it('reads what simpleParser reads of every fixture: body, addresses, attachment types and names', async () => {
    const files = emlFiles(fileURLToPath(FIXTURES));
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const raw = readFileSync(file);
      const [ours, theirs] = await Promise.all([parseInboundMessage(raw), reference(raw)]);
      if (!ours.ok) continue; // refused before MIME parsing (header screen): nothing to compare
      const message = ours.message;
      expect(message.subject, file).toBe(theirs.subject ?? '');
      expect(message.html, file).toBe(typeof theirs.html === 'string' ? theirs.html : '');
      const theirFrom = theirs.from?.value.length === 1 ? theirs.from.value[0]?.address : undefined;
      expect(message.from?.address ?? null, file).toBe(
        theirFrom ? normalizeAddress(theirFrom) : null,
      );
      expect(message.attachmentsCount, file).toBe(theirs.attachments.length);
      expect(message.attachmentTypes, file).toEqual(
        theirs.attachments.map((attachment) => attachment.contentType.toLowerCase()),
      );
      expect(message.attachmentNames, file).toEqual(
        theirs.attachments.map((attachment) => attachment.filename ?? ''),
      );
    }
  });

  it('finds the iTIP METHOD in a calendar part, and only within its first 4 KB', async () => {
    const part = (content: string, type = 'text/calendar; method=REPLY') =>
      `Content-Type: ${type}\r\nContent-Transfer-Encoding: base64\r\n\r\n${content}`;
    const reply = await parseRaw(
      withParts([
        'Content-Type: text/plain\r\n\r\nAccepted',
        part(calendar('REPLY')),
        part(calendar('COUNTER'), 'application/ics'),
      ]),
    );
    expect(reply.calendarMethods).toEqual(['REPLY', 'COUNTER']);
    const late = await parseRaw(withParts([part(calendar('REPLY', 'X-PAD:'.padEnd(5000, 'x')))]));
    expect(late.attachmentTypes).toEqual(['text/calendar']);
    expect(late.calendarMethods).toEqual([]);
  });

  it('parses past a large attachment to the parts after it', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024, 7)
      .toString('base64')
      .replace(/.{76}/g, '$&\r\n');
    const message = await parseRaw(
      withParts([
        'Content-Type: text/plain; charset=utf-8\r\n\r\nApproved, logs attached.',
        `Content-Type: application/octet-stream; name="logs.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${big}`,
        `Content-Type: text/calendar\r\nContent-Transfer-Encoding: base64\r\n\r\n${calendar('REFRESH')}`,
      ]),
    );
    expect(message.text.trim()).toBe('Approved, logs attached.');
    expect(message.attachmentNames).toEqual(['logs.bin', '']);
    expect(message.calendarMethods).toEqual(['REFRESH']);
  });

  it('reads a message written in slices as simpleParser reads it whole, whatever a slice cuts', async () => {
    const prefix = withParts(['Content-Type: application/octet-stream\r\n\r\n']).length;
    for (let shift = -12; shift <= 12; shift++) {
      const filler = 'x'.repeat(64 * 1024 - prefix + shift);
      const raw = withParts([
        `Content-Type: application/octet-stream; name="filler.bin"\r\n\r\n${filler}`,
        'Content-Type: text/plain; charset=utf-8\r\n\r\nApproved.',
        `Content-Type: text/calendar\r\nContent-Transfer-Encoding: base64\r\n\r\n${calendar('REPLY')}`,
      ]);
      const [ours, theirs] = await Promise.all([parseRaw(raw), reference(raw)]);
      expect(ours.text, `shift ${shift}`).toBe(theirs.text);
      expect(ours.attachmentNames).toEqual(['filler.bin', '']);
      expect(ours.calendarMethods, `shift ${shift}`).toEqual(['REPLY']);
    }
  });

  it('a broken attachment encoding is a result, never a throw', async () => {
    const result = await parseInboundMessage(
      withParts([
        'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!@@@###',
      ]),
    );
    expect(result.ok).toBe(true);
    expect(await parseInboundMessage(Buffer.from(rawMessage(['From: a@b.example'], '')))).toEqual(
      expect.objectContaining({ ok: true }),
    );
  });
});

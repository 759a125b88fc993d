import {
  ATTACHMENTS_MAX_TOTAL_BYTES,
  base64DecodedLength,
  completionRequestInputSchema,
  sanitizeContentType,
  sanitizeFilename,
} from '@rc/contracts';
import { parseInboundMessage } from '@rc/mail';
import type { StoredRequest } from '@rc/store';
import { describe, expect, it } from 'vitest';
import { buildMime } from '../src/adapters/build-mime';
import { OUTBOUND_HEADERS } from '../src/adapters/mail-transport';
import { mailAttachmentsOf, withoutAttachments } from '../src/attachments';
import { timerProblems, timersDue } from '../src/timers/schedule';

describe('attachment names and types', () => {
  it.each([
    ['deploy.log', 'deploy.log'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\report.pdf', 'report.pdf'],
    ['a\r\nBcc: eve@evil.example', 'a__Bcc_ eve@evil.example'],
    ['..hidden', 'hidden'],
    ['  spaced   out .txt ', 'spaced out .txt'],
    ['what?<>*|".txt', 'what______.txt'],
    ['/', 'attachment'],
    ['\u0000\u0001', 'attachment'],
    ['Änderungen – 日本語.txt', 'Änderungen – 日本語.txt'],
  ])('%j → %j', (given, expected) => {
    expect(sanitizeFilename(given)).toBe(expected);
  });

  it('keeps the extension of a long name within 100 characters', () => {
    const name = sanitizeFilename(`${'x'.repeat(300)}.tar.gz`);
    expect(name).toHaveLength(100);
    expect(name.endsWith('.gz')).toBe(true);
  });

  it.each([
    ['application/pdf', 'application/pdf'],
    ['Text/Plain; charset=utf-8', 'text/plain'],
    ['text/html', 'application/octet-stream'],
    ['application/x-msdownload', 'application/octet-stream'],
    ['text/plain\r\nBcc: eve@evil.example', 'application/octet-stream'],
    [undefined, 'application/octet-stream'],
  ])('%j → %j', (given, expected) => {
    expect(sanitizeContentType(given)).toBe(expected);
  });
});

describe('the attachments field', () => {
  const request = (attachments: unknown) =>
    completionRequestInputSchema.safeParse({
      taskId: 'T',
      title: 'Deploy',
      assignees: [{ email: 'a@corp.example' }],
      attachments,
    });

  it('accepts up to 2 MiB decoded in all, and refuses one byte more', () => {
    const at = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');
    const half = ATTACHMENTS_MAX_TOTAL_BYTES / 2;
    expect(base64DecodedLength(at(half))).toBe(half);
    expect(
      request([
        { filename: 'a', contentBase64: at(half) },
        { filename: 'b', contentBase64: at(half) },
      ]).success,
    ).toBe(true);
    expect(
      request([
        { filename: 'a', contentBase64: at(half) },
        { filename: 'b', contentBase64: at(half + 1) },
      ]).success,
    ).toBe(false);
  });

  it('refuses text that is not base64, and more than ten files', () => {
    expect(request([{ filename: 'a', contentBase64: 'no base64!' }]).success).toBe(false);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ filename: `${i}`, contentBase64: '' }));
    expect(request(eleven).success).toBe(false);
  });

  it('leaves the intake job without the bytes it stored', () => {
    const job = {
      kind: 'request' as const,
      requestedAt: new Date().toISOString(),
      request: {
        requestId: 'r',
        taskId: 'T',
        title: 'Deploy',
        assignees: [{ email: 'a@corp.example' }],
        attachments: [{ filename: 'a', contentBase64: 'AA==' }],
      },
    };
    expect(withoutAttachments(job).request).not.toHaveProperty('attachments');
    expect(job.request.attachments).toHaveLength(1);
  });
});

describe('MIME with attachments', () => {
  it('adds multipart/mixed parts around the text and HTML, with the bytes unchanged', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254, 13, 10, 46, 13, 10]);
    const raw = await buildMime({
      from: 'approvals@rc.example',
      to: { address: 'alice@corp.example' },
      subject: 'Action required',
      text: 'Complete task: mailto:approvals@rc.example\n',
      html: '<p>Complete task</p>',
      headers: { ...OUTBOUND_HEADERS },
      attachments: mailAttachmentsOf([
        {
          filename: '../x\r\n.bin',
          contentType: 'text/html',
          contentBase64: bytes.toString('base64'),
        },
      ]),
    });
    const text = raw.toString('latin1');
    expect(text).toMatch(/^Content-Type: multipart\/mixed/im);
    expect(text).toMatch(/^Content-Disposition: attachment; filename=x__\.bin$/im);
    expect(text).toMatch(/^Content-Type: application\/octet-stream; name=x__\.bin$/im);
    const parsed = await parseInboundMessage(raw);
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(parsed.message.attachmentNames).toEqual(['x__.bin']);
    expect(parsed.message.text).toContain('Complete task');
    expect(text).toContain(bytes.toString('base64'));
  });
});

describe('timers', () => {
  const base: StoredRequest = {
    requestId: 'r',
    taskId: 'T',
    title: 'Deploy',
    assignees: [{ email: 'a@corp.example' }],
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-03T00:00:00.000Z',
  };

  it('are due from the creation, and only before expiry', () => {
    expect(
      timersDue({
        ...base,
        remindAfter: '4h',
        escalateAfter: '1d',
        escalateTo: [{ email: 'b@corp.example' }],
        onExpire: 'fail',
      }).map(({ kind, dueAt }) => [kind, new Date(dueAt).toISOString()]),
    ).toEqual([
      ['remind', '2026-01-01T04:00:00.000Z'],
      ['escalate', '2026-01-02T00:00:00.000Z'],
      ['expire', '2026-01-03T00:00:00.000Z'],
    ]);
    expect(timersDue({ ...base, remindAfter: '2d', onExpire: 'none' })).toEqual([]);
    expect(timersDue({ ...base, escalateAfter: '1h' })).toEqual([]);
  });

  it('are refused by the intake when unpaired or too late', () => {
    const input = { taskId: 'T', title: 'x', assignees: [{ email: 'a@corp.example' }] };
    const now = Date.parse(base.createdAt);
    const expiresAt = Date.parse(base.expiresAt);
    expect(timerProblems({ ...input, remindAfter: '1d' }, expiresAt, now)).toEqual([]);
    expect(timerProblems({ ...input, remindAfter: '2d' }, expiresAt, now)).toEqual([
      'remindAfter: 2d is not before the request expires (2026-01-03T00:00:00.000Z)',
    ]);
    expect(
      timerProblems({ ...input, escalateTo: [{ email: 'b@corp.example' }] }, expiresAt, now),
    ).toEqual(['escalateAfter: required with escalateTo (when they are added)']);
  });
});

import { parseInboundMessage } from '@rc/mail';
import { describe, expect, it } from 'vitest';
import { buildMime, envelopeOf } from '../src/adapters/build-mime';
import { OUTBOUND_HEADERS, type OutgoingMail } from '../src/adapters/mail-transport';

/**
 * The MIME both transports send (SMTP as is, Graph's sendMail base64-encoded): what replies
 * are threaded and matched by must be in these bytes, not added by a transport on the way.
 */

const longLink = `mailto:approvals@rc.example?subject=${'x'.repeat(400)}&body=token`;
const mail: OutgoingMail = {
  from: '"Release Bot" <approvals@rc.example>',
  to: { address: 'alice@corp.example', name: 'Alice Ä.' },
  replyTo: 'approvals@rc.example',
  subject: 'Action required: Approve production deploy — Shop 4.2',
  text: `Hello Alice,\n\nComplete task: ${longLink}\n`,
  html: `<p>Hello Alice</p><a href="${longLink}">Complete task</a>`,
  messageId: '<rc-k1-r0123456789ab-0123456789abcdef@rc.example>',
  inReplyTo: '<answer@corp.example>',
  references: ['<answer@corp.example>'],
  headers: { ...OUTBOUND_HEADERS, 'X-RC-Request-Id': 'req-1' },
};

describe('buildMime', () => {
  it('carries the signed Message-ID, Reply-To, threading and the robot-silencing headers', async () => {
    const raw = await buildMime(mail);
    const parsed = await parseInboundMessage(raw);
    if (!parsed.ok) throw new Error(parsed.detail);
    const { message } = parsed;
    expect(message.messageId).toBe(mail.messageId);
    expect(message.replyTo.map((address) => address.address)).toEqual(['approvals@rc.example']);
    expect(message.from?.address).toBe('approvals@rc.example');
    expect(message.to).toEqual([expect.objectContaining({ address: 'alice@corp.example' })]);
    expect(message.subject).toBe(mail.subject);
    expect(message.inReplyTo).toEqual(['<answer@corp.example>']);
    expect(message.references).toEqual(['<answer@corp.example>']);
    expect(message.headers.get('auto-submitted')).toEqual(['auto-generated']);
    expect(message.headers.get('x-auto-response-suppress')).toEqual(['All']);
    expect(message.headers.get('x-remote-completion')).toEqual(['request']);
    expect(message.headers.get('x-rc-request-id')).toEqual(['req-1']);
    expect(message.headers.get('date')).toHaveLength(1);
    expect(message.contentType).toBe('multipart/alternative');
    // a long mailto: line survives the 78-column limit (quoted-printable soft breaks)
    expect(message.text).toContain(longLink);
    expect(message.html).toContain(longLink);
    expect(raw.toString()).toMatch(/^Content-Transfer-Encoding: quoted-printable/im);
    expect(raw.toString()).not.toMatch(/^X-Mailer:/im);
  });

  it('gives the SMTP envelope bare addresses, whatever display name RC_MAIL_FROM carries', () => {
    expect(envelopeOf(mail)).toEqual({
      from: 'approvals@rc.example',
      to: ['alice@corp.example'],
    });
    expect(envelopeOf({ ...mail, from: 'approvals@rc.example' }).from).toBe('approvals@rc.example');
  });
});

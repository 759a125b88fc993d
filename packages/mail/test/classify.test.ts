import { describe, expect, it } from 'vitest';
import { classifyAutomatic } from '../src/index';
import { messageWith, parseFixture, parseRaw, rawMessage } from './helpers';

describe('classifyAutomatic on the fixture corpus', () => {
  it.each([
    ['out-of-office.eml', 'auto_reply'],
    ['bounce-dsn.eml', 'bounce'],
    ['button-complete-thunderbird.eml', null],
    ['button-fail-outlook.eml', null],
    ['reply-approve-gmail.eml', null],
    ['reply-html-only-apple.eml', null],
    ['reply-iso-8859-1.eml', null],
    // Outlook copies our X-Auto-Response-Suppress into a person's reply: not a sign.
    ['reply-reject-outlook.eml', null],
  ])('%s → %s', async (name, expected) => {
    expect(classifyAutomatic(await parseFixture(name))).toBe(expected);
  });
});

describe('classifyAutomatic: loops', () => {
  it('recognises mail from our own addresses, in any case and IDN form', () => {
    const message = messageWith({ from: { address: 'rc@xn--bcher-kva.example', name: '' } });
    expect(classifyAutomatic(message, { ownAddresses: ['RC@Bücher.example'] })).toBe('loop');
    expect(classifyAutomatic(message, { ownAddresses: ['other@corp.example'] })).toBeNull();
  });

  it('recognises our own stamp header, by default and by a configured name', async () => {
    const stamped = await parseRaw(
      rawMessage(['From: someone@corp.example', 'X-Remote-Completion: 1', 'Subject: hi']),
    );
    expect(classifyAutomatic(stamped)).toBe('loop');
    const custom = messageWith({ headerList: [['X-Our-Stamp', 'yes']] });
    expect(classifyAutomatic(custom)).toBeNull();
    expect(classifyAutomatic(custom, { ownHeaderName: 'X-Our-Stamp' })).toBe('loop');
  });

  it('checks loops before anything else', () => {
    const message = messageWith({
      contentType: 'multipart/report',
      headerList: [['x-remote-completion', '1']],
    });
    expect(classifyAutomatic(message)).toBe('loop');
  });
});

describe('classifyAutomatic: bounces', () => {
  it('treats any multipart/report and any delivery-status part as a bounce', () => {
    expect(classifyAutomatic(messageWith({ contentType: 'multipart/report' }))).toBe('bounce');
    const mixed = messageWith({
      contentType: 'multipart/mixed',
      attachmentTypes: ['message/global-delivery-status'],
    });
    expect(classifyAutomatic(mixed)).toBe('bounce');
  });

  it('recognises mailer-daemon and postmaster with a failure subject', () => {
    for (const [address, subject] of [
      ['MAILER-DAEMON@mx.corp.example', 'Mail delivery failed: returning message to sender'],
      ['postmaster@corp.example', 'Undeliverable: Approval needed'],
      ['postmaster@corp.example', 'Unzustellbar: Freigabe benötigt'],
      ['postmaster@corp.example', 'Non remis : Approval needed'],
    ] as const) {
      const message = messageWith({ from: { address: address.toLowerCase(), name: '' }, subject });
      expect(classifyAutomatic(message)).toBe('bounce');
    }
    const chat = messageWith({
      from: { address: 'postmaster@corp.example', name: '' },
      subject: 'Re: Approval needed',
    });
    expect(classifyAutomatic(chat)).toBeNull();
  });

  it('recognises a null Return-Path with a failure subject', () => {
    const message = messageWith({
      subject: 'Delivery Status Notification (Failure)',
      headerList: [['Return-Path', '<>']],
    });
    expect(classifyAutomatic(message)).toBe('bounce');
    const normal = messageWith({
      subject: 'Re: Approval needed',
      headerList: [['Return-Path', '<>']],
    });
    expect(classifyAutomatic(normal)).toBeNull();
  });
});

describe('classifyAutomatic: auto-replies', () => {
  it.each([
    [['Auto-Submitted', 'auto-replied']],
    [['Auto-Submitted', 'auto-generated; owner-email="x@y"']],
    [['X-Autoreply', 'yes']],
    [['X-Autorespond', 'Out of office']],
    [['Precedence', 'bulk']],
    [['Precedence', 'junk']],
    [['Precedence', 'list']],
    [['Precedence', 'auto_reply']],
    [['List-Id', 'Ops <ops.lists.corp.example>']],
    [['List-Unsubscribe', '<mailto:leave@lists.corp.example>']],
  ] as [string, string][][])('%j', (...headerList) => {
    expect(classifyAutomatic(messageWith({ headerList }))).toBe('auto_reply');
  });

  it('does not take Auto-Submitted: no, normal precedence or X-Auto-Response-Suppress as a sign', () => {
    const message = messageWith({
      headerList: [
        ['Auto-Submitted', 'no'],
        ['Precedence', 'first-class'],
        ['X-Auto-Response-Suppress', 'All'],
      ],
    });
    expect(classifyAutomatic(message)).toBeNull();
  });

  it.each([
    'Out of Office: Approval needed',
    'Out of the office until 13 January',
    'Automatic reply: Approval needed',
    'Autoreply: Approval needed',
    'Auto-Reply: Approval needed',
    'RE: Out of Office AutoReply: Approval needed',
    'Abwesenheitsnotiz: Freigabe benötigt',
    'AW: Automatische Antwort: Freigabe benötigt',
    'Réponse automatique : Approval needed',
    'REPONSE AUTOMATIQUE: Approval needed',
    'Absence du bureau',
    'Respuesta automática: Approval needed',
    'Fuera de la oficina',
    'Automatisch antwoord: Approval needed',
    'Afwezig: Approval needed',
    'Resposta automática: Approval needed',
    'Ausente: Approval needed',
    'Risposta automatica: Approval needed',
    '[EXTERNAL] Re: Automatic reply: Approval needed',
  ])('subject %j', (subject) => {
    expect(classifyAutomatic(messageWith({ subject }))).toBe('auto_reply');
  });

  it.each([
    'Re: Approval needed: Approve production deploy',
    'Complete: Approve production deploy [rc-k1-c7d3xq9m2pa4z-h5k8w2ndr6tq0v3b]',
    'Re: Why we replied automatically',
    'Absently approved',
  ])('subject %j is a person', (subject) => {
    expect(classifyAutomatic(messageWith({ subject }))).toBeNull();
  });
});

describe('classifyAutomatic: software answering for a person', () => {
  it('a read receipt (RFC 8098) is read_receipt, not a bounce', () => {
    const report = messageWith({
      contentType: 'multipart/report',
      headerList: [
        ['Content-Type', 'multipart/report; report-type=disposition-notification; boundary=b'],
      ],
    });
    expect(classifyAutomatic(report)).toBe('read_receipt');
    const part = messageWith({
      contentType: 'multipart/mixed',
      attachmentTypes: ['message/global-disposition-notification'],
    });
    expect(classifyAutomatic(part)).toBe('read_receipt');
    // a delivery report is still a bounce
    const dsn = messageWith({
      contentType: 'multipart/report',
      headerList: [['Content-Type', 'multipart/report; report-type=delivery-status; boundary=b']],
    });
    expect(classifyAutomatic(dsn)).toBe('bounce');
  });

  it('an iTIP response is calendar_reply; an attached invitation is not', () => {
    for (const method of ['REPLY', 'COUNTER']) {
      expect(classifyAutomatic(messageWith({ calendarMethods: [method] }))).toBe('calendar_reply');
    }
    expect(classifyAutomatic(messageWith({ calendarMethods: ['REQUEST'] }))).toBeNull();
    expect(classifyAutomatic(messageWith({ calendarMethods: ['PUBLISH'] }))).toBeNull();
  });

  it('a mailbox rule forward is auto_forward, unless the rule is our own mailbox', () => {
    const forward = (headerList: [string, string][], subject = 'FW: Approve deploy') =>
      classifyAutomatic(messageWith({ subject, headerList }), {
        ownAddresses: ['rc@corp.example'],
      });
    expect(forward([['X-MS-Exchange-Inbox-Rules-Loop', 'alice@corp.example']])).toBe(
      'auto_forward',
    );
    expect(forward([['X-Sieve-Redirected-From', '<alice@corp.example>']])).toBe('auto_forward');
    expect(forward([['Auto-Submitted', 'auto-forwarded']])).toBe('auto_forward');
    expect(
      forward([['X-MS-Exchange-Generated-Message-Source', 'Mailbox Rules Agent']], 'Re: x'),
    ).toBe('auto_forward');
    // an operator feeding our mailbox through a rule of its own: answers pass
    expect(forward([['X-MS-Exchange-Inbox-Rules-Loop', 'RC@corp.example']], 'Re: x')).toBeNull();
  });

  it('an Exchange out-of-office carries the rule headers but stays auto_reply', () => {
    const ooo = messageWith({
      subject: 'Automatic reply: Approve deploy',
      headerList: [
        ['Auto-Submitted', 'auto-generated'],
        ['X-MS-Exchange-Inbox-Rules-Loop', 'erik@corp.example'],
        ['X-MS-Exchange-Generated-Message-Source', 'Mailbox Rules Agent'],
      ],
    });
    expect(classifyAutomatic(ooo)).toBe('auto_reply');
  });
});

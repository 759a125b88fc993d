import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mintAnswerToken, parseSigningKeys, type AnswerToken } from '@rc/tokens';
import {
  classifyAutomatic,
  parseInboundMessage,
  understandAnswer,
  type AutomaticKind,
  type FoundTokens,
  type ParsedMessage,
} from '../src/index';

/**
 * The client corpus (fixtures/clients/<client>/<case>.eml, see its README): answers as the mail
 * clients people use really send them, each with a sidecar <case>.json saying what the answer
 * means. Every expectation is exact: the action, where it came from, which request the email
 * names, and the comment, character for character.
 */
const CORPUS = new URL('../fixtures/clients/', import.meta.url);

/** The key every corpus token was minted with (fixtures/clients/README.md). */
const { keyring: KEYRING } = parseSigningKeys(`t1:${'f'.repeat(40)}`);

interface Expectation {
  client: string;
  description: string;
  from: string;
  subject?: string;
  attachments?: string[];
  action: 'complete' | 'fail' | null;
  actionSource: 'token' | 'words' | null;
  /** which group of tokens names the request, in the verifier's order of preference */
  namedBy: keyof FoundTokens;
  /** the distinct refs of that group: more than one means two requests, which is ambiguous */
  refs: string[];
  comment: string;
  /** what classifyAutomatic says: mail that is never an answer (then nothing else is compared) */
  automatic?: AutomaticKind;
  /** the person the request went to, where From is someone else (the verifier: sender_mismatch) */
  assignee?: string;
  /** the second-wave situations the case stands for (coverage below) */
  situations?: string[];
}

interface CorpusCase {
  id: string;
  folder: string;
  raw: Buffer;
  expected: Expectation;
}

function loadCorpus(): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const folder of readdirSync(CORPUS, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    const dir = new URL(`${folder.name}/`, CORPUS);
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.eml')) continue;
      const name = file.slice(0, -'.eml'.length);
      cases.push({
        id: `${folder.name}/${name}`,
        folder: folder.name,
        raw: readFileSync(new URL(file, dir)),
        expected: JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as Expectation,
      });
    }
  }
  return cases;
}

const corpus = loadCorpus();

async function parse(raw: Buffer): Promise<ParsedMessage> {
  const result = await parseInboundMessage(raw);
  if (!result.ok) expect.fail(`malformed: ${result.detail}`);
  return result.message;
}

/** The group the verifier takes the request from: the person's own tokens, else the referenced request, else the quoted one. */
function namingGroup(tokens: FoundTokens): keyof FoundTokens {
  if (tokens.direct.length > 0) return 'direct';
  return tokens.referenced.length > 0 ? 'referenced' : 'quoted';
}

const distinctRefs = (tokens: AnswerToken[]): string[] => [
  ...new Set(tokens.map((token) => token.ref)),
];

describe('client corpus', () => {
  it.each(corpus.map((entry) => [entry.id, entry] as const))('%s', async (_id, entry) => {
    const { expected } = entry;
    const message = await parse(entry.raw);
    expect(message.from?.address).toBe(expected.from);
    if (expected.subject !== undefined) expect(message.subject).toBe(expected.subject);
    if (expected.attachments) expect(message.attachmentNames).toEqual(expected.attachments);
    if (expected.assignee) expect(message.from?.address).not.toBe(expected.assignee);
    const automatic = classifyAutomatic(message, { ownAddresses: ['rc@corp.example'] });
    expect(automatic).toBe(expected.automatic ?? null);
    // Never an answer: the verifier records the reason and reads nothing further.
    if (expected.automatic) return;

    const understood = understandAnswer(message);
    expect({
      action: understood.action,
      actionSource: understood.actionSource,
      comment: understood.comment,
    }).toEqual({
      action: expected.action,
      actionSource: expected.actionSource,
      comment: expected.comment,
    });
    const group = namingGroup(understood.tokens);
    expect(group).toBe(expected.namedBy);
    expect(distinctRefs(understood.tokens[group])).toEqual(expected.refs);

    // The corpus stays honest: every token in it is exactly what the current code mints.
    const all = [
      ...understood.tokens.direct,
      ...understood.tokens.referenced,
      ...understood.tokens.quoted,
    ];
    expect(all.length).toBeGreaterThan(0);
    for (const token of all) {
      expect(mintAnswerToken(KEYRING!, token.action, token.ref), token.text).toBe(token.text);
    }
    // A plain reply never takes an action from the buttons it quotes.
    if (expected.actionSource !== 'token') {
      expect(understood.tokens.direct.filter((token) => token.action !== 'reply')).toEqual([]);
    }
  });
});

describe('client corpus coverage', () => {
  const byFolder = new Map<string, Expectation[]>();
  for (const entry of corpus) {
    byFolder.set(entry.folder, [...(byFolder.get(entry.folder) ?? []), entry.expected]);
  }

  it.each([
    'apple-mail',
    'ios-mail',
    'thunderbird',
    'windows-mail',
    'outlook-desktop',
    'outlook-ios',
    'outlook-android',
    'gmail-web',
    'gmail-android',
    'gmail-ios',
    'outlook-web',
    'yahoo',
  ])('%s: a button answer with and one without a comment, and a plain reply', (folder) => {
    const cases = byFolder.get(folder) ?? [];
    expect(cases.some((c) => c.actionSource === 'token' && c.comment !== '')).toBe(true);
    expect(cases.some((c) => c.actionSource === 'token' && c.comment === '')).toBe(true);
    expect(cases.some((c) => c.actionSource === 'words')).toBe(true);
  });

  it.each([
    'proton-mail',
    'fastmail',
    'zoho-mail',
    'gmx-webde',
    'mail-ru',
    'qq-mail',
    'naver',
    'samsung-email',
    'k9-mail',
    'spark',
    'airmail',
    'superhuman',
    'hcl-notes',
    'evolution',
    'claws-mail',
    'mutt',
    'roundcube',
    'horde',
    'squirrelmail',
    'blackberry-hub',
  ])('second wave %s: at least one answer understood', (folder) => {
    const cases = byFolder.get(folder) ?? [];
    expect(cases.some((c) => c.action !== null)).toBe(true);
  });

  it.each([
    'html-only',
    'unquoted-history',
    'flowed-delsp',
    'qp-soft-break-token',
    'base64-line-break-token',
    'encoded-word-split-token',
    'tnef',
    'smime-signed',
    'phone-signature-above',
    'greeting-then-decision',
    'bottom-posted',
    'question',
    'disclaimer',
    'forwarded-by-colleague',
    'mailing-list',
    'rule-auto-forward',
    'read-receipt',
    'calendar-reply',
  ])('has the situation %s', (situation) => {
    expect(corpus.some((entry) => entry.expected.situations?.includes(situation))).toBe(true);
  });

  it("never decides mail that is not the assignee's own answer", () => {
    const notOwn = corpus.filter((entry) => entry.expected.assignee || entry.expected.automatic);
    expect(notOwn.length).toBeGreaterThanOrEqual(5);
    // From someone else: only the verifier's sender_mismatch stands between the words and the task.
    for (const { expected } of notOwn.filter((entry) => entry.expected.assignee)) {
      expect(expected.from).not.toBe(expected.assignee);
    }
  });

  it('has plain replies in Italian, Polish, Swedish, Turkish, Czech and Korean', () => {
    const byLanguage: Record<string, RegExp> = {
      it: /\bapprovato\b/i,
      pl: /\bzatwierdzam\b/i,
      sv: /\b(?:godkänt|nekad)\b/iu,
      tr: /onaylıyorum/iu,
      cs: /schváleno/iu,
      ko: /승인합니다/u,
    };
    const replies = corpus.filter((entry) => entry.expected.actionSource === 'words');
    for (const [language, word] of Object.entries(byLanguage)) {
      expect(
        replies.some((entry) => word.test(entry.expected.comment)),
        language,
      ).toBe(true);
    }
  });

  it('has plain replies in English, German, French, Spanish, Dutch and Portuguese', () => {
    const replies = corpus
      .filter((entry) => entry.expected.actionSource === 'words')
      .map((entry) => entry.id);
    for (const language of ['en', 'de', 'fr', 'es', 'nl', 'pt']) {
      expect(
        replies.some((id) => id.endsWith(`-${language}`) || id.includes(`-${language}-`)),
        language,
      ).toBe(true);
    }
  });

  it('has a contradicting reply, an ambiguous email and a forwarded request', () => {
    const all = corpus.map((entry) => entry.expected).filter((c) => !c.automatic);
    expect(all.some((c) => c.actionSource === null && c.action === null)).toBe(true);
    expect(all.some((c) => c.refs.length > 1)).toBe(true);
    expect(all.some((c) => c.namedBy === 'quoted')).toBe(true);
  });

  it('uses every charset we promise to read, in bodies and RFC 2047 headers', () => {
    const labels = new Set<string>();
    const encodedWords = new Set<string>();
    for (const { raw } of corpus) {
      const text = raw.toString('latin1');
      for (const match of text.matchAll(/charset="?([\w-]+)"?/gi)) {
        labels.add((match[1] ?? '').toLowerCase());
      }
      for (const match of text.matchAll(/=\?([\w-]+)\?[bq]\?/gi)) {
        encodedWords.add((match[1] ?? '').toLowerCase());
      }
    }
    for (const charset of [
      'utf-8',
      'iso-8859-1',
      'iso-8859-15',
      'windows-1252',
      'iso-2022-jp',
      'shift_jis',
      'gb2312',
      'gbk',
      'koi8-r',
    ]) {
      expect(labels, charset).toContain(charset);
    }
    for (const charset of ['utf-8', 'iso-8859-1', 'iso-2022-jp', 'gb2312', 'gbk', 'koi8-r']) {
      expect(encodedWords, charset).toContain(charset);
    }
    expect(corpus.some(({ raw }) => /filename\*(?:0\*)?=/i.test(raw.toString('latin1')))).toBe(
      true,
    );
  });
});

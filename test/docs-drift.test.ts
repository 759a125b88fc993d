import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REJECTION_REASONS } from '@rc/contracts';
import { KNOWN_VARIABLES } from '@rc/runtime';
import { describe, expect, it } from 'vitest';

/**
 * The README is what operators read; where it lists what the code defines, the two must not
 * drift apart (issue 7 found the reply languages and a reason text out of step).
 */
const read = (path: string) =>
  readFileSync(fileURLToPath(new URL(`../${path}`, import.meta.url)), 'utf8');
const readme = read('README.md');

describe('README matches the code', () => {
  it('names every rejection reason the verifier can record', () => {
    const missing = Object.keys(REJECTION_REASONS).filter(
      (reason) => !readme.includes(`\`${reason}\``),
    );
    expect(missing).toEqual([]);
  });

  it('lists exactly the languages of the built-in reply vocabulary', () => {
    const source = read('packages/mail/src/reply-action.ts');
    const vocabulary = source.slice(source.indexOf('DEFAULT_ACTION_VOCABULARY'));
    const inCode = new Set([...vocabulary.matchAll(/\/\* ([A-Z]{2}) \*\//g)].map((m) => m[1]));
    const listed = /built-in ([A-Z/]+) vocabulary/.exec(readme)?.[1]?.split('/') ?? [];
    expect(new Set(listed)).toEqual(inCode);
  });

  it('documents every RC_ variable the product reads', () => {
    // KNOWN_VARIABLES is checked against the sources and SPEC 3.1 in runtime's config tests.
    const missing = [...KNOWN_VARIABLES].filter((name) => !readme.includes(name));
    expect(missing).toEqual([]);
  });
});

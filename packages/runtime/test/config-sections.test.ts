import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadConfig,
  sectionOf,
  type ConfigSection,
  type ServiceRole,
} from '../src/index';

/** Sections: settings a service owns itself, read and checked together with the rest. */

const BASE = {
  RC_MAILBOX_ADDRESS: 'approvals@corp.example',
  RC_SIGNING_KEYS: `k1:${'a1'.repeat(20)}`,
};

interface ToySettings {
  url: string;
  retries: number;
  readFor: ServiceRole[];
}

/** A section as a service would write one, strict only for the role that uses it. */
const toySection: ConfigSection<ToySettings> = {
  name: 'toy',
  read(reader, roles) {
    const needed = roles.includes('task-updater');
    return {
      url: reader.url('RC_TOY_URL', ['https:'], 'https://toy.example', needed, 'for the toy') ?? '',
      retries: reader.integer('RC_TOY_RETRIES', 3, 0, 10, '3'),
      readFor: roles,
    };
  },
};

function problemsOf(env: Record<string, string>, roles: ServiceRole[]): string[] {
  try {
    loadConfig(env, roles, [toySection]);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

describe('config sections', () => {
  it('puts what a section read under config.sections[name], typed through sectionOf', () => {
    const config = loadConfig(
      { ...BASE, RC_TOY_URL: 'https://toy.example/x', RC_TOY_RETRIES: '5' },
      ['task-updater'],
      [toySection],
    );
    expect(config.sections).toEqual({
      toy: { url: 'https://toy.example/x', retries: 5, readFor: ['task-updater'] },
    });
    const toy: ToySettings | undefined = sectionOf(config, toySection);
    expect(toy?.retries).toBe(5);
    expect(sectionOf(loadConfig(BASE, ['verifier']), toySection)).toBeUndefined();
  });

  it("reports a section's problems in the same list as everyone else's", () => {
    expect(problemsOf({ RC_TOY_RETRIES: '99', RC_BATCH_SIZE: '0' }, ['task-updater'])).toEqual([
      expect.stringMatching(/^RC_MAILBOX_ADDRESS: is required/),
      expect.stringMatching(/^RC_SIGNING_KEYS: is required/),
      expect.stringMatching(/^RC_BATCH_SIZE: must be a whole number/),
      expect.stringMatching(/^RC_TOY_URL: is required for the toy, e\.g\. RC_TOY_URL=https:/),
      expect.stringMatching(/^RC_TOY_RETRIES: must be a whole number from 0 to 10, not "99"/),
    ]);
  });

  it('a problem in a section alone stops the start, and the roles decide what it needs', () => {
    expect(problemsOf(BASE, ['task-updater'])).toEqual([
      expect.stringMatching(/^RC_TOY_URL: is required/),
    ]);
    expect(problemsOf(BASE, ['verifier'])).toEqual([]);
  });

  it('the same section twice is a programming error, not a configuration problem', () => {
    expect(() => loadConfig(BASE, ['verifier'], [toySection, toySection])).toThrow(
      'config section "toy" is loaded twice',
    );
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The image's entry point (Dockerfile: ENTRYPOINT) chooses the service by command or by
 * SERVICE, and runs `rc`. No Docker engine here: it runs against stand-in bundles that print
 * which one started and with what arguments.
 */
const entrypoint = fileURLToPath(new URL('../scripts/image/entrypoint.sh', import.meta.url));
const app = mkdtempSync(path.join(tmpdir(), 'rc-image-'));
for (const bundle of ['sender', 'poller', 'verifier', 'task-updater', 'all-in-one', 'rc']) {
  mkdirSync(path.join(app, 'dist', bundle), { recursive: true });
  writeFileSync(
    path.join(app, 'dist', bundle, 'main.js'),
    `console.log(JSON.stringify([${JSON.stringify(bundle)}, ...process.argv.slice(2)]));\n`,
  );
}
afterAll(() => rmSync(app, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}): unknown {
  const out = execFileSync('sh', [entrypoint, ...args], {
    env: { ...process.env, RC_APP_DIR: app, SERVICE: '', ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

describe('the image entry point', () => {
  it('runs the service named by the command', () => {
    expect(run(['poller'])).toEqual(['poller']);
    expect(run(['task-updater'])).toEqual(['task-updater']);
  });
  it('runs SERVICE when no command is given, all-in-one when neither is', () => {
    expect(run([], { SERVICE: 'verifier' })).toEqual(['verifier']);
    expect(run([])).toEqual(['all-in-one']);
  });
  it('runs the command line with its arguments', () => {
    expect(run(['rc', 'doctor', '--json'])).toEqual(['rc', 'doctor', '--json']);
  });
});

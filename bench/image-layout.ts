import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@rc/testkit';

/**
 * The image's layout in a temporary folder: the bundles (`pnpm build`) beside a flat
 * node_modules of production dependencies only, made as the Dockerfile makes it
 * (`pnpm install --prod --node-linker=hoisted`, here --offline from the machine's pnpm store).
 * Made once per run and removed when the process exits; returns the folder.
 */
let made: string | undefined;
export function imageLayout(): string {
  made ??= makeLayout();
  return made;
}

function makeLayout(): string {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'ignore' });
  const root = mkdtempSync(join(tmpdir(), 'rc-image-'));
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  for (const file of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml'])
    copyFileSync(join(REPO_ROOT, file), join(root, file));
  for (const group of ['packages', 'services'])
    for (const name of readdirSync(join(REPO_ROOT, group))) {
      mkdirSync(join(root, group, name), { recursive: true });
      copyFileSync(
        join(REPO_ROOT, group, name, 'package.json'),
        join(root, group, name, 'package.json'),
      );
    }
  execFileSync(
    'pnpm',
    [
      'install',
      '--prod',
      '--frozen-lockfile',
      '--config.node-linker=hoisted',
      '--ignore-scripts',
      '--offline',
    ],
    { cwd: root, stdio: 'ignore' },
  );
  cpSync(join(REPO_ROOT, 'dist'), join(root, 'dist'), { recursive: true });
  return root;
}

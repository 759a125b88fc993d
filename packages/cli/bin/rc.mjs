#!/usr/bin/env node
// The workspace `rc` command. The sources are TypeScript, run through tsx as `pnpm start` runs
// the services; `pnpm rc …` at the root does the same with `node --import tsx`.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');

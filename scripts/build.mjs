// Bundles each service's entry point into dist/<service>/main.js for containers: our own
// workspace code (TypeScript) is bundled, npm packages stay external and are resolved from
// node_modules at run time (BullMQ, for one, reads its Lua scripts from its package folder).
import { build } from 'esbuild';

const services = ['sender', 'poller', 'verifier', 'task-updater', 'all-in-one'];
// The `rc` command line (SPEC 3.6) ships in the image too: `node dist/rc/main.js doctor`.
const entries = [
  ...services.map((service) => ({ in: `services/${service}/src/main.ts`, out: service })),
  { in: 'packages/cli/src/main.ts', out: 'rc' },
];

const externalNpmPackages = {
  name: 'external-npm-packages',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@rc/') ? undefined : { path: args.path, external: true },
    );
  },
};

await Promise.all(
  entries.map((entry) =>
    build({
      entryPoints: [entry.in],
      outfile: `dist/${entry.out}/main.js`,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: true,
      plugins: [externalNpmPackages],
      logLevel: 'warning',
    }),
  ),
);
console.log(`built ${entries.map((entry) => `dist/${entry.out}/main.js`).join(', ')}`);

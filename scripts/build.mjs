// Bundles each service's entry point into dist/<service>/main.js for containers: our own
// workspace code (TypeScript) is bundled, npm packages stay external and are resolved from
// node_modules at run time (BullMQ, for one, reads its Lua scripts from its package folder).
import { build } from 'esbuild';

const services = ['sender', 'poller', 'verifier', 'task-updater', 'all-in-one'];

const externalNpmPackages = {
  name: 'external-npm-packages',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@rc/') ? undefined : { path: args.path, external: true },
    );
  },
};

await Promise.all(
  services.map((service) =>
    build({
      entryPoints: [`services/${service}/src/main.ts`],
      outfile: `dist/${service}/main.js`,
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
console.log(`built ${services.map((service) => `dist/${service}/main.js`).join(', ')}`);

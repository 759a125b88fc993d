import { createRequire } from 'node:module';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { QUEUE_NAMES } from '@rc/contracts';
import { describe, expect, it } from 'vitest';
import { readRepo, readYaml, readYamlDocuments, repoPath } from './deploy-helpers';

/*
 * No kubectl or kustomize here: the test resolves the kustomizations itself (resources,
 * generators, patches), validates every manifest against the Kubernetes and KEDA schemas
 * (kubernetes-models' validate()), and checks what the schemas cannot: that names, labels,
 * ports, probes and BullMQ keys refer to each other correctly.
 */
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}
interface Generator {
  name: string;
  behavior?: string;
  literals?: string[];
  envs?: string[];
}
interface Kustomization {
  namespace?: string;
  resources?: string[];
  labels?: { pairs: Record<string, string>; includeTemplates?: boolean }[];
  configMapGenerator?: Generator[];
  secretGenerator?: Generator[];
  patches?: { path: string }[];
  images?: { name: string }[];
}
interface Built {
  files: string[];
  resources: Manifest[];
  patches: Manifest[];
  labels: Record<string, string>;
  configMaps: Map<string, Record<string, string>>;
  secrets: Map<string, Record<string, string>>;
  namespace?: string;
}

const K8S = 'deploy/k8s';

function envFile(path: string): Record<string, string> {
  const entries = readRepo(path)
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      expect(at, `${path}: ${line}`).toBeGreaterThan(0);
      return [line.slice(0, at), line.slice(at + 1)] as const;
    });
  return Object.fromEntries(entries);
}

function generate(
  dir: string,
  generators: Generator[] = [],
  into: Map<string, Record<string, string>>,
  files: string[],
): void {
  for (const generator of generators) {
    const data: Record<string, string> = {};
    for (const literal of generator.literals ?? []) {
      const at = literal.indexOf('=');
      data[literal.slice(0, at)] = literal.slice(at + 1);
    }
    for (const env of generator.envs ?? []) {
      files.push(join(dir, env));
      Object.assign(data, envFile(join(dir, env)));
    }
    const existing = into.get(generator.name);
    if (generator.behavior === 'merge') {
      expect(existing, `${dir}: merge into unknown ${generator.name}`).toBeDefined();
      Object.assign(existing!, data);
    } else {
      expect(existing, `${dir}: ${generator.name} generated twice`).toBeUndefined();
      into.set(generator.name, data);
    }
  }
}

/** What `kustomize build <dir>` would assemble, minus hashing and name rewriting. */
function build(dir: string): Built {
  const kustomization = readYaml(join(dir, 'kustomization.yaml')) as Kustomization;
  const built: Built = {
    files: [join(dir, 'kustomization.yaml')],
    resources: [],
    patches: [],
    labels: {},
    configMaps: new Map(),
    secrets: new Map(),
    namespace: kustomization.namespace,
  };
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource);
    expect(existsSync(repoPath(path)), `${dir}: resource ${resource} is missing`).toBe(true);
    if (statSync(repoPath(path)).isDirectory()) {
      const base = build(path);
      built.files.push(...base.files);
      built.resources.push(...base.resources);
      Object.assign(built.labels, base.labels);
      for (const [name, data] of base.configMaps) built.configMaps.set(name, data);
      for (const [name, data] of base.secrets) built.secrets.set(name, data);
    } else {
      built.files.push(path);
      built.resources.push(...(readYamlDocuments(path) as Manifest[]));
    }
  }
  for (const { pairs, includeTemplates } of kustomization.labels ?? []) {
    expect(includeTemplates, `${dir}: labels must reach the pods`).toBe(true);
    Object.assign(built.labels, pairs);
  }
  generate(dir, kustomization.configMapGenerator, built.configMaps, built.files);
  generate(dir, kustomization.secretGenerator, built.secrets, built.files);
  for (const patch of kustomization.patches ?? []) {
    const path = join(dir, patch.path);
    built.files.push(path);
    built.patches.push(readYaml(path) as Manifest);
  }
  return built;
}

/** kubernetes-models (core groups) and @kubernetes-models/keda, by apiVersion and kind. */
async function validate(manifest: Manifest): Promise<void> {
  const module = manifest.apiVersion.startsWith('keda.sh/')
    ? `@kubernetes-models/keda/${manifest.apiVersion}`
    : `kubernetes-models/${manifest.apiVersion}`;
  const models = (await import(module)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = models[manifest.kind];
  expect(Model, `no model for ${manifest.apiVersion} ${manifest.kind}`).toBeDefined();
  new Model!(manifest).validate();
}

function deepMerge(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    const current = merged[key];
    merged[key] =
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current &&
      typeof current === 'object'
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return merged;
}

const base = build(`${K8S}/base`);
const overlay = build(`${K8S}/overlays/example`);
const all = overlay.resources;
const ofKind = (kind: string) => all.filter((manifest) => manifest.kind === kind);
const deployments = ofKind('Deployment');
type PodSpec = {
  serviceAccountName: string;
  containers: {
    env: { name: string; value: string }[];
    envFrom: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
    ports: { name: string; containerPort: number }[];
    resources: { requests?: { cpu?: string; memory?: string } };
    livenessProbe?: { httpGet: { path: string; port: string } };
    readinessProbe?: { httpGet: { path: string; port: string } };
    startupProbe?: { httpGet: { path: string; port: string } };
  }[];
};
const podOf = (deployment: Manifest) =>
  (deployment.spec as { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } })
    .template;
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('deploy/k8s', () => {
  it('every file under deploy/k8s is used by a kustomization, and every reference resolves', () => {
    const used = new Set([...base.files, ...overlay.files].map((file) => repoPath(file)));
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((entry) =>
        statSync(join(dir, entry)).isDirectory() ? walk(join(dir, entry)) : [join(dir, entry)],
      );
    const unused = walk(repoPath(K8S)).filter((file) => !used.has(file));
    expect(unused.map((file) => relative(repoPath('.'), file))).toEqual([]);
  });

  it('every manifest validates against the Kubernetes and KEDA schemas', async () => {
    expect(all.length).toBeGreaterThan(10);
    for (const manifest of all) await validate(manifest);
  });

  it('overlay patches name a base resource and the patched result still validates', async () => {
    for (const patch of overlay.patches) {
      const target = base.resources.find(
        (r) => r.kind === patch.kind && r.metadata.name === patch.metadata.name,
      );
      expect(target, `${patch.kind}/${patch.metadata.name}`).toBeDefined();
      await validate(deepMerge(target!, patch) as Manifest);
    }
  });

  it('one Deployment per service, each running its SERVICE with probes, requests and a PDB', () => {
    const services = ['sender', 'poller', 'verifier', 'task-updater'];
    expect(
      deployments.map((d) => d.metadata.labels?.['app.kubernetes.io/component']).sort(),
    ).toEqual([...services].sort());
    for (const deployment of deployments) {
      const component = deployment.metadata.labels!['app.kubernetes.io/component']!;
      const template = podOf(deployment);
      const selector = (deployment.spec as { selector: { matchLabels: Record<string, string> } })
        .selector.matchLabels;
      expect(matches(selector, template.metadata.labels), component).toBe(true);
      expect(template.metadata.labels['app.kubernetes.io/component']).toBe(component);
      const [container] = template.spec.containers;
      expect(container!.env).toContainEqual({ name: 'SERVICE', value: component });
      expect(container!.ports).toContainEqual({ name: 'http', containerPort: 8080 });
      expect(base.configMaps.get('remote-completion-config')?.RC_HTTP_PORT).toBe('8080');
      expect(container!.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container!.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container!.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container!.resources.requests?.cpu, component).toBeTruthy();
      expect(container!.resources.requests?.memory, component).toBeTruthy();
      for (const source of container!.envFrom) {
        if (source.configMapRef)
          expect(overlay.configMaps.has(source.configMapRef.name)).toBe(true);
        if (source.secretRef) expect(overlay.secrets.has(source.secretRef.name)).toBe(true);
      }
      expect(ofKind('ServiceAccount').map((a) => a.metadata.name)).toContain(
        template.spec.serviceAccountName,
      );
      const budgets = ofKind('PodDisruptionBudget').filter((pdb) =>
        matches(
          (pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
          template.metadata.labels,
        ),
      );
      expect(budgets, `${component} PDB`).toHaveLength(1);
    }
  });

  it('two pollers, one active and one standby (the lease), and a drain keeps one', () => {
    const poller = deployments.find((d) => d.metadata.name === 'rc-poller')!;
    expect((poller.spec as { replicas: number }).replicas).toBe(2);
    const pdb = ofKind('PodDisruptionBudget').find((p) => p.metadata.name === 'rc-poller')!;
    expect(pdb.spec).toMatchObject({ minAvailable: 1 });
    expect(ofKind('ScaledObject').map((s) => s.metadata.name)).not.toContain('rc-poller');
  });

  it("Services select exactly one Deployment's pods on its http port; the sender has one", () => {
    const services = ofKind('Service');
    expect(services.map((s) => s.metadata.name)).toContain('rc-sender');
    for (const service of services) {
      const spec = service.spec as {
        selector: Record<string, string>;
        ports: { targetPort: string }[];
      };
      const selected = deployments.filter((d) => matches(spec.selector, podOf(d).metadata.labels));
      expect(selected, service.metadata.name).toHaveLength(1);
      expect(spec.ports.map((port) => port.targetPort)).toEqual(['http']);
    }
  });

  it("KEDA scales the verifier and the task-updater on their queue's BullMQ wait list", () => {
    // BullMQ's own key naming, from the copy @rc/runtime runs with
    const runtime = createRequire(repoPath('packages/runtime/package.json'));
    const { QueueKeys } = runtime('bullmq') as {
      QueueKeys: new (prefix: string) => { getKeys(name: string): { wait: string } };
    };
    const prefix = overlay.configMaps.get('remote-completion-config')!.RC_QUEUE_PREFIX!;
    const consumes: Record<string, string> = {
      'rc-verifier': QUEUE_NAMES.inbound,
      'rc-task-updater': QUEUE_NAMES.update,
    };
    const scaled = ofKind('ScaledObject');
    expect(
      scaled
        .map((s) => (s.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name)
        .sort(),
    ).toEqual(Object.keys(consumes).sort());
    for (const object of scaled) {
      const spec = object.spec as {
        scaleTargetRef: { name: string };
        minReplicaCount: number;
        triggers: {
          type: string;
          metadata: { listName: string };
          authenticationRef: { name: string };
        }[];
      };
      expect(deployments.map((d) => d.metadata.name)).toContain(spec.scaleTargetRef.name);
      expect(spec.minReplicaCount).toBeGreaterThanOrEqual(1);
      const [trigger] = spec.triggers;
      expect(trigger!.type).toBe('redis');
      const queue = consumes[spec.scaleTargetRef.name]!;
      expect(trigger!.metadata.listName).toBe(new QueueKeys(prefix).getKeys(queue).wait);
      const auth = ofKind('TriggerAuthentication').find(
        (a) => a.metadata.name === trigger!.authenticationRef.name,
      );
      const refs = (
        auth!.spec as { secretTargetRef: { parameter: string; name: string; key: string }[] }
      ).secretTargetRef;
      for (const ref of refs)
        expect(overlay.secrets.get(ref.name)?.[ref.key], ref.key).toBeTruthy();
    }
  });

  it('pods carry the labels the Prometheus scrape job keeps', () => {
    expect(overlay.labels['app.kubernetes.io/part-of']).toBe('remote-completion');
  });

  it('the overlay creates its namespace and sets only documented RC_ variables', () => {
    expect(ofKind('Namespace').map((n) => n.metadata.name)).toEqual([overlay.namespace]);
    const readme = readRepo('README.md');
    const names = [...overlay.configMaps.values(), ...overlay.secrets.values()].flatMap((data) =>
      Object.keys(data).filter((name) => name.startsWith('RC_')),
    );
    expect(names.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});

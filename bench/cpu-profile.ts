import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a sample's code lives: a package, our own folder, or node/V8 itself. */
function placeOf(url: string): string {
  if (!url) return '(native/V8)';
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pnpm) return pnpm[1] ?? url;
  const ours = /\/((?:packages|services)\/[^/]+)\//.exec(url);
  if (ours) return ours[1] ?? url;
  if (url.startsWith('node:')) return 'node';
  return url;
}

/** Self time per place and the hottest functions of a `node --cpu-prof` file, in ms. */
export function summarizeProfile(file: string, top = 15): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const places = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const place = placeOf(frame.url);
    places.set(place, (places.get(place) ?? 0) + us);
    const name = `${frame.functionName || '(anonymous)'} ${place}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const ms = (us: number) => (us / 1000).toFixed(0).padStart(6);
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `busy ${ms(total)} ms, idle ${ms(idle)} ms`,
    'self time by place:',
    ...sorted(places).map(([place, us]) => `  ${ms(us)} ms ${pct(us)}  ${place}`),
    'hottest functions (self):',
    ...sorted(functions).map(([name, us]) => `  ${ms(us)} ms ${pct(us)}  ${name}`),
  ].join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  for (const file of process.argv.slice(2)) console.log(`${file}\n${summarizeProfile(file)}`);
}

import path from 'node:path';
import { findFreePort } from '../free-port';
import { startPnpmScript, type ProductProcess } from '../processes';
import { sleep, waitUntil } from '../wait';

export type ServiceKind = 'sender' | 'poller' | 'verifier' | 'task-updater';

/** One service process of the fleet; `process` changes when it is restarted. */
export interface FleetMember {
  kind: ServiceKind;
  name: string;
  port: number;
  process: ProductProcess;
  starts: number;
}

interface Readiness {
  ok: boolean;
  role?: string;
}

export interface Fleet {
  members: FleetMember[];
  of(kind: ServiceKind): FleetMember[];
  /** kill -9, then started again (as an orchestrator would) after `downMs` */
  crash(member: FleetMember, downMs: number): Promise<void>;
  readiness(member: FleetMember): Promise<Readiness>;
  /** the poller whose /readyz says it holds the lease */
  leader(): Promise<FleetMember | undefined>;
  waitAllReady(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Every service as its own `pnpm start:<service>` process, each on its own HTTP port. */
export async function startFleet(
  env: Record<string, string>,
  layout: Record<ServiceKind, number>,
  logDir: string,
): Promise<Fleet> {
  const members: FleetMember[] = [];
  const launch = (member: Omit<FleetMember, 'process'>) =>
    startPnpmScript(
      `start:${member.kind}`,
      { ...env, RC_HTTP_PORT: String(member.port) },
      { logFile: path.join(logDir, `${member.name}.${member.starts}.log`) },
    );
  for (const kind of Object.keys(layout) as ServiceKind[]) {
    for (let i = 1; i <= layout[kind]; i++) {
      const base = { kind, name: `${kind}-${i}`, port: await findFreePort(), starts: 1 };
      members.push({ ...base, process: launch(base) });
    }
  }
  const readiness = async (member: FleetMember): Promise<Readiness> => {
    try {
      const response = await fetch(`http://127.0.0.1:${member.port}/readyz`, {
        signal: AbortSignal.timeout(4_000),
      });
      const body = (await response.json()) as { checks?: { name: string; role?: string }[] };
      const role = body.checks?.find((check) => check.name === 'mailbox')?.role;
      return { ok: response.ok, ...(role ? { role } : {}) };
    } catch {
      return { ok: false };
    }
  };
  return {
    members,
    of: (kind) => members.filter((member) => member.kind === kind),
    async crash(member, downMs) {
      await member.process.kill();
      await sleep(downMs);
      member.starts += 1;
      member.process = launch(member);
    },
    readiness,
    async leader() {
      for (const member of members.filter((m) => m.kind === 'poller')) {
        if ((await readiness(member)).role === 'leader') return member;
      }
      return undefined;
    },
    async waitAllReady(timeoutMs) {
      await waitUntil(
        'every service ready',
        async () => {
          const states = await Promise.all(members.map(readiness));
          return states.every((state) => state.ok) ? true : undefined;
        },
        timeoutMs,
        200,
      );
    },
    async stop() {
      await Promise.allSettled(members.map((member) => member.process.kill()));
    },
  };
}

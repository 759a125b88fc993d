import {
  findFreePort,
  startMailStack,
  startPnpmScript,
  startRedis,
  waitUntil,
  type MailStack,
  type ProductProcess,
  type RedisServer,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailboxWorld, pollerReadiness, waitForRole, type MailboxWorld } from './lease-world';

/**
 * Poller replicas as separate processes (`pnpm start:poller`), as they run in production:
 * takeover after a kill -9 of the active one, a paused active one that comes back, and a
 * graceful stop that hands the lease back.
 */

let redis: RedisServer;
let stack: MailStack;
let world: MailboxWorld;
const processes: ProductProcess[] = [];

beforeAll(async () => {
  [redis, stack] = await Promise.all([startRedis(), startMailStack()]);
  world = await mailboxWorld(redis, stack);
});
afterAll(async () => {
  await Promise.allSettled(processes.map((poller) => poller.kill()));
  await world?.close();
  await Promise.allSettled([stack?.stop(), redis?.stop()]);
});

interface Replica {
  name: string;
  port: number;
  process: ProductProcess;
  /** SIGSTOP/SIGCONT to the whole process group: a paused process, not a dead one */
  pause(): void;
  resume(): void;
}

async function startReplica(name: string): Promise<Replica> {
  const port = await findFreePort();
  const poller = startPnpmScript(
    'start:poller',
    world.env({ RC_HTTP_PORT: String(port), RC_LOG_LEVEL: 'info', RC_SYNC_INTERVAL: '30s' }),
  );
  processes.push(poller);
  await waitUntil(
    `${name} ready`,
    async () => ((await pollerReadiness(port))?.status === 200 ? true : undefined),
    60_000,
    100,
  );
  const group = (signal: NodeJS.Signals) => process.kill(-poller.child.pid!, signal);
  return {
    name,
    port,
    process: poller,
    pause: () => group('SIGSTOP'),
    resume: () => group('SIGCONT'),
  };
}

async function metric(port: number, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

async function roleOf(replica: Replica): Promise<string | undefined> {
  return (await pollerReadiness(replica.port))?.role;
}

describe('poller replicas as separate processes', () => {
  it('kill -9 of the active one: a standby takes over within 5 s; a paused one comes back as a standby; a graceful stop hands over within 1 s', async () => {
    const [one, two] = await Promise.all([startReplica('one'), startReplica('two')]);
    await waitUntil('one active poller', async () => {
      const roles = [await roleOf(one), await roleOf(two)].sort();
      return roles[0] === 'leader' && roles[1] === 'standby' ? true : undefined;
    });
    const [active, standby] = (await roleOf(one)) === 'leader' ? [one, two] : [two, one];
    expect(await metric(active.port, 'rc_poller_leader')).toBe(1);
    expect(await metric(standby.port, 'rc_poller_leader')).toBe(0);
    expect(await metric(standby.port, 'rc_poller_takeovers_total')).toBeUndefined();

    await world.deliver('before the kill');
    await world.settled(1);

    const killedAt = Date.now();
    await active.process.kill();
    await world.deliver('right after the kill');
    await waitForRole(standby.port, 'leader', 10_000);
    const takeoverMs = Date.now() - killedAt;
    await world.settled(2, 10_000);
    const pickupMs = Date.now() - killedAt;
    console.log(
      `kill -9 of the active poller: takeover ${takeoverMs} ms, mail taken ${pickupMs} ms after the kill`,
    );
    expect(takeoverMs).toBeLessThan(5_000);
    expect(await metric(standby.port, 'rc_poller_takeovers_total')).toBe(1);

    // The survivor is paused (SIGSTOP) past its lease; a new replica takes over.
    const three = await startReplica('three');
    expect(await roleOf(three)).toBe('standby');
    const pausedAt = Date.now();
    standby.pause();
    await waitForRole(three.port, 'leader', 10_000);
    console.log(`paused active poller: takeover ${Date.now() - pausedAt} ms`);
    await world.deliver('while the old one is paused');
    await world.settled(3, 10_000);

    standby.resume();
    await waitForRole(standby.port, 'standby', 10_000);
    expect(await metric(standby.port, 'rc_poller_leader')).toBe(0);
    await world.deliver('after the resume');
    await world.settled(4, 10_000);
    expect(await world.subjects()).toEqual([
      'after the resume',
      'before the kill',
      'right after the kill',
      'while the old one is paused',
    ]);

    // A graceful stop hands the lease back instead of letting it expire.
    const stopping = three.process.stop();
    const stoppedAt = Date.now();
    await waitForRole(standby.port, 'leader', 5_000);
    const handoverMs = Date.now() - stoppedAt;
    await stopping;
    console.log(`graceful stop of the active poller: handover ${handoverMs} ms`);
    expect(handoverMs).toBeLessThan(1_000);
    expect(three.process.output()).toContain('"msg":"stopped"');
    await world.deliver('after the graceful stop');
    await world.settled(5, 10_000);
  }, 180_000);
});

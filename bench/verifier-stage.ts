import { createQueue, createRedis } from '@rc/runtime';
import { type Backends } from '@rc/testkit';
import type { Answer } from './answers';
import { fillMailbox } from './backlog';
import { startProductProcess } from './product-process';

export interface VerifierStageResult {
  /** inbound jobs verified per second, all verifier processes together */
  rate: number;
  /** CPU seconds of each verifier process over the stage, and of Redis */
  cpuSeconds: number[];
  redisCpuSeconds: number;
}

/**
 * The verifier stage alone: the poller queues the answers and stops; the `inbound` queue is
 * paused while `verifiers` processes start, then resumed, and the clock runs until it is empty.
 * No poller, task-updater or mail server competes for the cores meanwhile — what two verifier
 * processes can do over one when the machine has room for them.
 */
export async function timeVerifierStage(
  backends: Backends,
  env: Record<string, string>,
  mailbox: string,
  answers: readonly Answer[],
  verifiers: number,
  main: (service: string) => string,
  /** node arguments of the verifier processes (--cpu-prof) */
  nodeArgs: string[] = [],
): Promise<VerifierStageResult> {
  const prefix = env.RC_QUEUE_PREFIX ?? 'rc';
  const redis = createRedis(backends.redis.url, 'client');
  const inbound = createQueue('inbound', redis, prefix);
  const redisCpu = async () => {
    const info = await redis.info('cpu');
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1]);
    return field('used_cpu_user') + field('used_cpu_sys');
  };
  const waiting = async () => {
    const counts = await inbound.getJobCounts('waiting', 'active', 'prioritized', 'delayed');
    return Object.values(counts).reduce((sum: number, n) => sum + Number(n), 0);
  };
  try {
    await inbound.pause();
    await fillMailbox(backends, mailbox, answers);
    const poller = await startProductProcess(main('poller'), env);
    while ((await waiting()) < answers.length) await new Promise((r) => setTimeout(r, 50));
    await poller.stop();
    const running = await Promise.all(
      Array.from({ length: verifiers }, () =>
        startProductProcess(main('verifier'), env, { nodeArgs }),
      ),
    );
    const cpuBefore = running.map((product) => product.cpuSeconds());
    const redisBefore = await redisCpu();
    const started = Date.now();
    await inbound.resume();
    while ((await waiting()) > 0) await new Promise((r) => setTimeout(r, 10));
    const elapsedMs = Date.now() - started;
    const result = {
      rate: (answers.length * 1000) / elapsedMs,
      cpuSeconds: running.map((product, i) => product.cpuSeconds() - (cpuBefore[i] ?? NaN)),
      redisCpuSeconds: (await redisCpu()) - redisBefore,
    };
    await Promise.all(running.map((product) => product.stop()));
    return result;
  } finally {
    await inbound.resume().catch(() => undefined);
    await inbound.close();
    await redis.quit();
  }
}

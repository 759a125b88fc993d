import { createRedis } from '@rc/runtime';
import { openMailbox, type Backends } from '@rc/testkit';
import { webhookTimes, type Answer } from './answers';
import type { RunningProduct } from './product-process';

/**
 * Puts the answers into the product's mailbox before any service starts (IMAP APPEND: SMTP
 * delivery is ~300/s here and would be what a test measures).
 */
export async function fillMailbox(
  backends: Backends,
  address: string,
  answers: readonly Answer[],
): Promise<void> {
  const mailbox = await openMailbox(backends.stack, address);
  try {
    for (const answer of answers) await mailbox.append(answer.raw);
  } finally {
    await mailbox.close();
  }
}

export interface DrainResult {
  /** answers per second from the moment the (last) process was ready to the last webhook */
  rate: number;
  drainMs: number;
  /** from the first spawn to the first webhook */
  firstDecisionMs: number;
  /** peak RSS of each process, MB */
  peakRssMb: number[];
  /** CPU seconds each process spent from ready to the last webhook */
  cpuSeconds: number[];
  /** CPU seconds Redis spent meanwhile */
  redisCpuSeconds: number;
  /** commands Redis processed meanwhile (a Lua script counts its inner calls too) */
  redisCommands: number;
  /** Redis commands per answer by name (inner calls of scripts counted under their own names) */
  commandsPerAnswer: (readonly [string, number])[];
  products: RunningProduct[];
}

/**
 * Starts the product (`start` returns its processes once ready) with the answers waiting in
 * its mailbox, and times until the engine has heard every one of them. The caller stops them.
 */
export async function timeDrain(
  backends: Backends,
  answers: readonly Answer[],
  start: () => Promise<RunningProduct[]>,
  timeoutMs = 600_000,
): Promise<DrainResult> {
  const redis = createRedis(backends.redis.url, 'client');
  const redisStats = async () => {
    const info = await redis.info();
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1]);
    return {
      cpu: field('used_cpu_user') + field('used_cpu_sys'),
      commands: field('total_commands_processed'),
    };
  };
  const commandStats = async () => {
    const counts = new Map<string, number>();
    for (const match of (await redis.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g))
      counts.set(match[1] ?? '', Number(match[2]));
    return counts;
  };
  const spawnedAt = Date.now();
  const products = await start();
  const readyAt = Date.now();
  const cpuAtReady = products.map((product) => product.cpuSeconds());
  const redisAtReady = await redisStats();
  const commandsAtReady = await commandStats();
  const deadline = readyAt + timeoutMs;
  const ids = answers.map((answer) => answer.requestId);
  let heard = webhookTimes(backends.engine);
  while (!ids.every((id) => heard.has(id))) {
    if (Date.now() > deadline) throw new Error('the backlog did not drain in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
    heard = webhookTimes(backends.engine);
  }
  const times = ids.map((id) => heard.get(id) ?? NaN);
  const peakRssMb = products.map((product) => product.peakRssMb());
  const redisAfter = await redisStats();
  const commandsAfter = await commandStats();
  const commandsPerAnswer = [...commandsAfter]
    .map(
      ([name, calls]) =>
        [name, (calls - (commandsAtReady.get(name) ?? 0)) / answers.length] as const,
    )
    .filter(([, perAnswer]) => perAnswer >= 0.05)
    .sort((a, b) => b[1] - a[1]);
  const redisCpuSeconds = redisAfter.cpu - redisAtReady.cpu;
  const redisCommands = redisAfter.commands - redisAtReady.commands;
  await redis.quit();
  const cpuSeconds = products.map((product, i) => product.cpuSeconds() - (cpuAtReady[i] ?? NaN));
  const last = Math.max(...times);
  const drainMs = last - readyAt;
  return {
    rate: (answers.length * 1000) / drainMs,
    drainMs,
    firstDecisionMs: Math.min(...times) - spawnedAt,
    peakRssMb,
    cpuSeconds,
    redisCpuSeconds,
    redisCommands,
    commandsPerAnswer,
    products,
  };
}

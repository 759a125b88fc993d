import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openMailbox, type Backends } from '@rc/testkit';
import { imageLayout } from './image-layout';
import { makeAnswers, webhookTimes } from './answers';
import { percentile } from './stats';
import { startProductProcess } from './product-process';

const SERVICES = ['all-in-one', 'sender', 'poller', 'verifier', 'task-updater'];

/**
 * Start-up to ready of each built bundle (`pnpm build`), median of three, in the image's layout
 * (the bundles beside a flat production node_modules: bench/image-layout.ts).
 */
export async function timeStartup(env: Record<string, string>): Promise<Map<string, number>> {
  const root = imageLayout();
  const times = new Map<string, number>();
  for (const service of SERVICES) {
    const runs: number[] = [];
    for (let run = 0; run < 3; run++) {
      const product = await startProductProcess(join(root, 'dist', service, 'main.js'), env);
      runs.push(product.readyMs);
      await product.stop();
    }
    times.set(service, percentile(runs, 50));
  }
  return times;
}

/**
 * One answer carrying a ~20 MB attachment through `pnpm start`: the rise of the process's
 * resident memory over what it was just before, against the size. The peak is the kernel's
 * (VmHWM, reset once start-up settled by writing 5 to /proc/PID/clear_refs), so no spike falls
 * between samples; where that reset is refused, RSS sampled every 10 ms.
 */
export async function timeBigMessage(
  backends: Backends,
  env: Record<string, string>,
): Promise<{ sizeMb: number; rssRiseMb: number }> {
  const [answer] = await makeAnswers(env, 1, 'big');
  if (!answer) throw new Error('no answer seeded');
  const [head = '', body = ''] = answer.raw.split('\r\n\r\n', 2);
  const boundary = 'bench-boundary-20mb';
  const attachment = Buffer.alloc(15 * 1024 * 1024, 7)
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');
  const raw =
    head.replace(/Content-Type: [^\r]*/, `Content-Type: multipart/mixed; boundary="${boundary}"`) +
    `\r\n\r\n--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n` +
    `--${boundary}\r\nContent-Type: application/octet-stream; name="big.bin"\r\n` +
    `Content-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--${boundary}--\r\n`;
  const product = await startProductProcess('services/all-in-one/src/main.ts', env);
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500)); // start-up settles
    const before = product.rssMb();
    const kernelPeak = resetPeakRss(product.pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, product.rssMb())), 10);
    const mailbox = await openMailbox(backends.stack, env.RC_MAILBOX_ADDRESS ?? '');
    await mailbox.append(raw);
    const deadline = Date.now() + 60_000;
    while (!webhookTimes(backends.engine).has(answer.requestId) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await mailbox.waitForCount(0, 10_000).catch(() => undefined);
    await mailbox.close();
    clearInterval(sampler);
    if (kernelPeak) peak = Math.max(peak, product.peakRssMb());
    if (!webhookTimes(backends.engine).has(answer.requestId))
      throw new Error('the 20 MB answer did not reach the engine');
    return { sizeMb: raw.length / 1024 / 1024, rssRiseMb: peak - before };
  } finally {
    await product.stop();
  }
}

/** Linux ≥ 4.0: writing 5 to clear_refs resets the peak resident set size (VmHWM) to now. */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

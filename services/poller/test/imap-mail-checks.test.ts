import { createLogger, loadConfig } from '@rc/runtime';
import { startMailStack, startRedis, type MailStack, type RedisServer } from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImapSource } from '../src/adapters/imap';
import { mailboxWorld } from './lease-world';

/**
 * RC_IMAP_CHECK_INTERVAL on a real Dovecot. Dovecot tells an IDLE client of new mail 500 ms
 * after the mailbox changed (NOTIFY_DELAY_MSECS), so a pickup that waits for IDLE alone can
 * never be faster than that; the poller's NOOP checks make the server look at once. The test
 * times when the source hears of an APPENDed message, with the checks off and on: the first
 * shows the delay is Dovecot's (and that the test can fail), the second that the checks beat it.
 */

let redis: RedisServer;
let stack: MailStack;

beforeAll(async () => {
  [redis, stack] = await Promise.all([startRedis(), startMailStack()]);
});
afterAll(async () => {
  await Promise.allSettled([stack?.stop(), redis?.stop()]);
});

/** ms from the end of each APPEND to the source's new-mail callback, for `appends` messages */
async function noticeTimes(checkInterval: string, appends: number): Promise<number[]> {
  const world = await mailboxWorld(redis, stack);
  const config = loadConfig(world.env({ RC_IMAP_CHECK_INTERVAL: checkInterval }), ['poller']);
  const source = createImapSource(config, createLogger({ service: 'test', level: 'silent' }));
  let heard: (() => void) | undefined;
  try {
    await source.connect(
      () => heard?.(),
      () => undefined,
    );
    const times: number[] = [];
    for (let n = 0; n < appends; n++) {
      // Each round starts from an empty folder with the connection back in IDLE, as a poller
      // waits for a lone answer.
      await source.remove((await source.list(50)).map((message) => message.id));
      source.watch();
      await new Promise((resolve) => setTimeout(resolve, 700)); // past any open notify window
      const noticed = new Promise<number>((resolve) => (heard = () => resolve(Date.now())));
      await world.mailbox.append(`Subject: lone ${n}\r\nFrom: a@rc.example\r\n\r\nhello\r\n`);
      const appendedAt = Date.now();
      times.push((await noticed) - appendedAt);
      heard = undefined;
    }
    return times;
  } finally {
    await source.close();
    await world.close();
  }
}

describe('RC_IMAP_CHECK_INTERVAL', () => {
  it('IDLE alone hears of new mail only after Dovecot’s 500 ms notify delay', async () => {
    const times = await noticeTimes('off', 3);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(450);
  });

  it('NOOP checks every 100 ms hear of it well before that', async () => {
    const times = await noticeTimes('100ms', 3);
    // 100 ms between checks plus a round trip: the best of three stays far under the 500 ms.
    expect(Math.min(...times)).toBeLessThan(350);
  });

  it('reads off, a duration, and refuses one below 50 ms', () => {
    const env = (value?: string) => ({
      RC_REDIS_URL: 'redis://127.0.0.1:1',
      RC_MAILBOX_ADDRESS: 'a@rc.example',
      RC_IMAP_HOST: '127.0.0.1',
      RC_IMAP_USER: 'a@rc.example',
      RC_IMAP_PASSWORD: 'x',
      RC_SIGNING_KEYS: `k1:${'cd'.repeat(24)}`,
      ...(value === undefined ? {} : { RC_IMAP_CHECK_INTERVAL: value }),
    });
    expect(loadConfig(env(), ['poller']).imap.checkIntervalMs).toBe(250);
    expect(loadConfig(env('off'), ['poller']).imap.checkIntervalMs).toBeNull();
    expect(loadConfig(env('2s'), ['poller']).imap.checkIntervalMs).toBe(2000);
    expect(() => loadConfig(env('10ms'), ['poller'])).toThrow(/RC_IMAP_CHECK_INTERVAL/);
  });
});

import { createQueue, createRedis, type Config, type Redis, type TypedQueue } from '@rc/runtime';
import { InboundLog, RequestStore } from '@rc/store';

/** What the HTTP API works on, opened directly: so the commands need no RC_API_TOKEN. */
export interface RequestAccess {
  store: RequestStore;
  inboundLog: InboundLog;
  sendQueue: TypedQueue<'send'>;
  close(): Promise<void>;
}

export function openRequestAccess(config: Config): RequestAccess {
  // Fails fast, as a producer should: a person at a terminal learns at once that Redis is down.
  const redis: Redis = createRedis(config.redisUrl, 'client', {
    tlsCaFile: config.tlsCaFile,
  });
  redis.on('error', () => undefined); // the failing command says it
  const sendQueue = createQueue('send', redis, config.queuePrefix, config.retry);
  return {
    store: new RequestStore(redis, config.queuePrefix),
    inboundLog: new InboundLog(redis, config.queuePrefix, config.inboundLog),
    sendQueue,
    async close() {
      await sendQueue.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** Opens, runs `work`, and closes whatever happens. */
export async function withRequestAccess<T>(
  config: Config,
  work: (access: RequestAccess) => Promise<T>,
): Promise<T> {
  const access = openRequestAccess(config);
  try {
    return await work(access);
  } finally {
    await access.close();
  }
}

import type { ConfigReader } from './reader';

/** How the poller takes mail from the mailbox, and what it does with it afterwards. */
export interface PollerConfig {
  poller: {
    fetchEnabled: boolean;
    startupDelayMs: number;
    syncIntervalMs: number;
    batchSize: number;
  };
  afterProcessing: { kind: 'delete' } | { kind: 'move'; folder: string };
  /** RC_MAX_MESSAGE_BYTES: larger mail is queued as its header only and rejected as too_large */
  maxMessageBytes: number;
}

function readAfterProcessing(read: ConfigReader): PollerConfig['afterProcessing'] {
  const text = read.string('RC_AFTER_PROCESSING', 'delete') ?? 'delete';
  if (text.startsWith('move:') && text.length > 5) return { kind: 'move', folder: text.slice(5) };
  if (text !== 'delete') {
    read.problem(
      'RC_AFTER_PROCESSING',
      `must be delete or move:<folder>, not "${text}"`,
      'move:Processed',
    );
  }
  return { kind: 'delete' };
}

export function readPollerConfig(read: ConfigReader): PollerConfig {
  const poller = {
    fetchEnabled: read.boolean('RC_FETCH_ENABLED', true),
    startupDelayMs: read.duration('RC_STARTUP_DELAY', '30s', '30s'),
    syncIntervalMs: read.duration('RC_SYNC_INTERVAL', '30s', '30s'),
    batchSize: read.integer('RC_BATCH_SIZE', 50, 1, 10_000, '50'),
  };
  if (poller.syncIntervalMs < 1000) {
    read.problem('RC_SYNC_INTERVAL', 'must be at least 1s', '30s');
  }
  return {
    poller,
    afterProcessing: readAfterProcessing(read),
    maxMessageBytes: read.integer(
      'RC_MAX_MESSAGE_BYTES',
      2_097_152,
      1024,
      1_073_741_824,
      '2097152',
    ),
  };
}

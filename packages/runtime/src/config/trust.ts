import { parseSigningKeys, type SigningKeyring } from '@rc/tokens';
import type { RateLimit } from './rate-limit';
import type { ConfigReader } from './reader';

/** What decides whether an answer is acted on, and how much mail is taken from whom. */
export interface TrustConfig {
  keyring: SigningKeyring;
  whitelist: { enabled: boolean; domains: string[] };
  requestTtlMs: number;
  requireDmarc: boolean;
  trustedAuthservId?: string;
  /** RC_VERIFY_DKIM: the verifier checks DKIM signatures itself and requires one aligned with From */
  verifyDkim: boolean;
  /** RC_SENDER_RATE_LIMIT: most inbound emails processed per sender per window; null = off */
  senderRateLimit: RateLimit | null;
  /** RC_VERIFY_RATE_LIMIT: most inbound emails all verifiers together take per window; null = off */
  verifyRateLimit: RateLimit | null;
  /** RC_SEND_RATE_LIMIT: most emails all senders together send per window; null = off */
  sendRateLimit: RateLimit | null;
  rejectionNotices: boolean;
  confirmationNotices: boolean;
  /** extra words that make a plain reply complete or fail, beside the built-in languages */
  replyWords: { complete: string[]; fail: string[] };
}

/** `ok, passt, go ahead` → ['ok', 'passt', 'go ahead'] */
function wordList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((word) => word.trim())
    .filter(Boolean);
}

function readKeyring(read: ConfigReader): SigningKeyring | undefined {
  const keysText = read.string('RC_SIGNING_KEYS');
  if (keysText === undefined) {
    read.problem(
      'RC_SIGNING_KEYS',
      'is required to sign and verify answers',
      'k1:$(openssl rand -hex 32)',
    );
    return undefined;
  }
  const parsed = parseSigningKeys(keysText);
  for (const problem of parsed.problems)
    read.problem('RC_SIGNING_KEYS', problem, 'k2:<new secret>,k1:<old secret>');
  return parsed.keyring;
}

function readWhitelist(read: ConfigReader): TrustConfig['whitelist'] {
  const domains = (read.string('RC_WHITELIST_DOMAINS') ?? '')
    .split(/[,\s]+/)
    .map((domain) => domain.trim().toLowerCase())
    .filter(Boolean);
  const enabled = read.boolean('RC_WHITELIST_ENABLED', false);
  if (enabled && domains.length === 0) {
    read.problem(
      'RC_WHITELIST_DOMAINS',
      'is empty while RC_WHITELIST_ENABLED=true (nothing would be processed)',
      'corp.example,*.corp.example',
    );
  }
  return { enabled, domains };
}

export function readTrustConfig(read: ConfigReader): TrustConfig {
  const keyring = readKeyring(read);
  const whitelist = readWhitelist(read);
  const requireDmarc = read.boolean('RC_REQUIRE_DMARC', false);
  const trustedAuthservId = read.string('RC_TRUSTED_AUTHSERV_ID');
  if (requireDmarc && !trustedAuthservId) {
    read.problem(
      'RC_TRUSTED_AUTHSERV_ID',
      "is required with RC_REQUIRE_DMARC=true (only your own MTA's results can be trusted)",
      'mx.corp.example',
    );
  }
  return {
    // Only read when absent or broken, and then loadConfig throws before anyone uses it.
    keyring: keyring as SigningKeyring,
    whitelist,
    requestTtlMs: read.duration('RC_REQUEST_TTL', '7d', '7d'),
    requireDmarc,
    trustedAuthservId,
    verifyDkim: read.boolean('RC_VERIFY_DKIM', false),
    senderRateLimit: read.rateLimit('RC_SENDER_RATE_LIMIT', '60/1h', '20/1h'),
    verifyRateLimit: read.rateLimit('RC_VERIFY_RATE_LIMIT', '200/1s', '200/1s'),
    sendRateLimit: read.rateLimit('RC_SEND_RATE_LIMIT', '20/1s', '30/1m'),
    rejectionNotices: read.boolean('RC_REJECTION_NOTICES', false),
    confirmationNotices: read.boolean('RC_CONFIRMATION_NOTICES', false),
    replyWords: {
      complete: wordList(read.string('RC_COMPLETE_WORDS')),
      fail: wordList(read.string('RC_FAIL_WORDS')),
    },
  };
}

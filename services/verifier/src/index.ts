export { startVerifier, type VerifierOptions } from './service';
export {
  TemporaryVerifyError,
  verifyInbound,
  type VerifierDeps,
  type VerifyOptions,
} from './process';
export { cachedResolver, systemResolver, type DnsResolver } from './dns-cache';
export { RejectionNotices, SILENT_REASONS } from './notices';
export { SenderRateLimiter } from './rate-limit';

export { startVerifier, type VerifierOptions } from './service';
export {
  recordProcessingFailure,
  TemporaryVerifyError,
  verifyInbound,
  type VerifierDeps,
  type VerifierSettings,
  type VerifyOptions,
} from './process';
export { cachedResolver, systemResolver, type DnsResolver } from './dns-cache';
export { NOTICE_POLICY, RejectionNotices, SILENT_REASONS } from './notices';
export { SenderRateLimiter } from './rate-limit';

export { findFreePort } from './free-port';
export { startRedis, type RedisServer } from './redis';
export { startMailStack, type MailStack, type MailStackOptions } from './mail-stack';
export { openMailbox, type MailboxClient } from './mailbox';
export { sendTestMail, type TestMessage } from './send-mail';
export {
  startWebhookReceiver,
  type ReceivedWebhook,
  type WebhookReceiver,
  type WebhookResponder,
} from './webhook-receiver';
export {
  answerWithButton,
  openMailto,
  readRequestEmail,
  type ReceivedRequestEmail,
} from './assignee';
export { sleep, waitUntil } from './wait';
export { answerMime, buttonAnswerMime, type AnswerMail } from './assignee-mime';
export { startHttpsFront, type HttpsFront } from './https-front';
export { dumpRedis } from './redis-dump';
export { graphAppEnv, oauth2AppEnv } from './microsoft-env';
export {
  createAppCertificate,
  startMicrosoftFake,
  type FakeMailbox,
  type MicrosoftFake,
  type MicrosoftFakeOptions,
  type SentMail,
  type StoredMessage,
  type ThrottleRule,
} from './microsoft/index';
export { trustingNetworkClient } from './microsoft/trusting-network-client';
export {
  createTestCertificateAuthority,
  type TestCertificateAuthority,
} from './microsoft/certificates';
export { createApiClient, type ApiCall, type ApiResponse } from './api-client';
export { ALL_JOB_STATES, countJobs, type CountableQueue } from './queue-counts';
export { startBackends, type Backends } from './backends';
export { REPO_ROOT, startPnpmScript, type ProductProcess } from './processes';
export {
  startProduct,
  startSystem,
  SYSTEM_DEFAULTS,
  systemEnv,
  type ProductServices,
  type TestSystem,
} from './system';
export {
  dkimRecord,
  dkimWorld,
  ed25519Key,
  rsaKey,
  signDkim,
  type DkimSignOptions,
  type DkimWorld,
  type TxtResolver,
} from './dkim-world';
export { seedDecidedRequest, type DecidedRequest, type DecisionStore } from './decided-request';
export { startRedisCluster, type RedisClusterServer } from './redis-cluster';
export { startRedisSentinels, type RedisSentinelSet } from './redis-sentinel';

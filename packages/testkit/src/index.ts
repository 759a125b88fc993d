export { findFreePort } from './free-port';
export { startRedis, type RedisServer } from './redis';
export { startMailStack, type MailStack } from './mail-stack';
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

export { startSender, type SenderOptions } from './service';
export type { MailTransport, OutgoingMail } from './adapters/mail-transport';
export { OUTBOUND_HEADERS } from './adapters/mail-transport';
export { createSmtpTransport } from './adapters/smtp';
export { createGraphTransport } from './adapters/graph';
export { acceptRequest, type Accepted, type AcceptDeps } from './accept-request';

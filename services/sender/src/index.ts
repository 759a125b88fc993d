export { startSender, type SenderOptions } from './service';
export type { MailTransport, OutgoingMail } from './adapters/mail-transport';

import net from 'node:net';
import tls, { type ConnectionOptions, type TLSSocket } from 'node:tls';
import { tlsTrustOptions, type Security } from '@rc/runtime';
import { CheckProblem, type Finding } from './check';
import { readLines } from './line-reader';
import { judgeCertificate, networkProblem } from './tls-trouble';

/** How long a server may take to greet or answer one command before it counts as silent. */
const REPLY_WAIT_MS = 3_000;

/** What the probe says and expects in one mail protocol. */
export interface Dialect {
  name: 'SMTP' | 'IMAP';
  /** RC_SMTP or RC_IMAP: the variables' common prefix */
  prefix: string;
  tlsPort: number;
  starttlsPort: number;
  greeting: RegExp;
  capability: string;
  capabilityDone: (lines: string[]) => boolean;
  starttls: string;
  starttlsDone: (lines: string[]) => boolean;
  starttlsOk: RegExp;
  quit: string;
}

/** SMTP: RFC 5321 replies ("250-" continues, "250 " ends), RFC 3207 STARTTLS. */
export const SMTP: Dialect = {
  name: 'SMTP',
  prefix: 'RC_SMTP',
  tlsPort: 465,
  starttlsPort: 587,
  greeting: /^220[ -]/,
  capability: 'EHLO rc-doctor',
  capabilityDone: (lines) => lines.some((line) => /^\d{3} /.test(line)),
  starttls: 'STARTTLS',
  starttlsDone: (lines) => lines.some((line) => /^\d{3} /.test(line)),
  starttlsOk: /^220 /,
  quit: 'QUIT',
};

/** IMAP: RFC 9051 greeting and tagged replies, STARTTLS as RFC 2595 has it. */
export const IMAP: Dialect = {
  name: 'IMAP',
  prefix: 'RC_IMAP',
  tlsPort: 993,
  starttlsPort: 143,
  greeting: /^\* (OK|PREAUTH)\b/i,
  capability: 'A1 CAPABILITY',
  capabilityDone: (lines) => lines.some((line) => /^A1 /i.test(line)),
  starttls: 'A2 STARTTLS',
  starttlsDone: (lines) => lines.some((line) => /^A2 /i.test(line)),
  starttlsOk: /^A2 OK/i,
  quit: 'A3 LOGOUT',
};

export interface MailPort {
  host: string;
  port: number;
  security: Security;
  tlsCaFile?: string;
}

/** A greeting is whole once its last line is not an SMTP continuation ("220-"). */
const greetingDone = (lines: string[]) => lines.length > 0 && !/^\d{3}-/.test(lines.at(-1)!);

/**
 * Opens the port the way RC_*_SECURITY says and tells what the server actually speaks: TLS on a
 * STARTTLS port and the reverse, no STARTTLS, a certificate that is not trusted or not for this
 * host. Only the greeting, the capabilities and STARTTLS are exchanged: never a credential.
 */
export async function probeMailPort(
  dialect: Dialect,
  target: MailPort,
  signal: AbortSignal,
): Promise<Finding> {
  const sockets = new Set<net.Socket>();
  const track: Track = (socket, replaces) => {
    // A socket handed to TLS belongs to its TLS socket: destroying both crashes Node.
    if (replaces) sockets.delete(replaces);
    sockets.add(socket);
    socket.on('error', () => undefined); // reported through the connect promise
    return socket;
  };
  const onAbort = () => sockets.forEach((socket) => socket.destroy());
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return target.security === 'tls'
      ? await probeImplicitTls(dialect, target, track)
      : await probePlain(dialect, target, track);
  } finally {
    signal.removeEventListener('abort', onAbort);
    onAbort();
  }
}

type Track = <S extends net.Socket>(socket: S, replaces?: net.Socket) => S;

function where(dialect: Dialect, target: MailPort) {
  return {
    host: target.host,
    port: target.port,
    hostVariable: `${dialect.prefix}_HOST`,
    portVariable: `${dialect.prefix}_PORT`,
    tlsCaFile: target.tlsCaFile,
  };
}

function tlsOptions(target: MailPort, socket?: net.Socket): ConnectionOptions {
  return {
    ...(socket ? { socket } : { host: target.host, port: target.port }),
    servername: net.isIP(target.host) ? undefined : target.host,
    // Judged afterwards by judgeCertificate, exactly as a verifying client would, so that the
    // message can name the certificate. Nothing secret is ever sent over this session.
    rejectUnauthorized: false,
    ...tlsTrustOptions(target.tlsCaFile),
  };
}

function connected<S extends net.Socket>(socket: S, event: 'connect' | 'secureConnect') {
  return new Promise<S>((resolve, reject) => {
    socket.once(event, () => resolve(socket));
    socket.once('error', reject);
    socket.once('close', () => reject(Object.assign(new Error('closed'), { code: 'ECONNRESET' })));
  });
}

/** An answer that is not TLS at all: a plain-text server greeting a TLS client. */
function isNotTls(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return (
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    /wrong version number|packet length too long|unknown protocol|record layer failure/i.test(
      message ?? '',
    )
  );
}

async function probeImplicitTls(dialect: Dialect, target: MailPort, track: Track) {
  const at = where(dialect, target);
  let secure: TLSSocket;
  try {
    secure = await connected(track(tls.connect(tlsOptions(target))), 'secureConnect');
  } catch (error) {
    if (!isNotTls(error)) throw networkProblem(error, at);
    const plain = await plainConversation(dialect, target, track).catch(() => undefined);
    if (!plain) {
      throw new CheckProblem(
        `port ${target.port} does not speak TLS`,
        `check ${at.portVariable}: ${dialect.name} over TLS is usually port ${dialect.tlsPort}`,
      );
    }
    throw plain.offersStarttls
      ? new CheckProblem(
          `port ${target.port} speaks STARTTLS, not TLS from the first byte (it greets in plain text: "${plain.greeting}")`,
          `set ${dialect.prefix}_SECURITY=starttls (or ${at.portVariable}=${dialect.tlsPort} if the server offers TLS there)`,
        )
      : new CheckProblem(
          `port ${target.port} speaks plain ${dialect.name} without TLS ("${plain.greeting}")`,
          `set ${at.portVariable} to the server's TLS port (usually ${dialect.tlsPort}); ${dialect.prefix}_SECURITY=none only on a trusted network`,
        );
  }
  judgeCertificate(secure, at);
  const greeting = await readLines(secure).until(greetingDone, REPLY_WAIT_MS);
  if (!greeting?.[0] || !dialect.greeting.test(greeting[0])) {
    throw new CheckProblem(
      `TLS works at ${target.host}:${target.port}, but no ${dialect.name} greeting came${greeting?.[0] ? `: "${greeting[0].slice(0, 80)}"` : ''}`,
      `check ${at.portVariable}: this port may serve another protocol`,
    );
  }
  secure.write(`${dialect.quit}\r\n`);
  return {
    status: 'ok' as const,
    detail: `${dialect.name} over TLS (${secure.getProtocol()}) at ${target.host}:${target.port}, certificate trusted`,
  };
}

interface PlainConversation {
  socket: net.Socket;
  greeting: string;
  offersStarttls: boolean;
  lines: ReturnType<typeof readLines>;
}

/** Connects in plain text, reads the greeting and asks for the capabilities. */
async function plainConversation(
  dialect: Dialect,
  target: MailPort,
  track: Track,
): Promise<PlainConversation | undefined> {
  const socket = await connected(
    track(net.connect({ host: target.host, port: target.port })),
    'connect',
  );
  const lines = readLines(socket);
  const greeting = await lines.until(greetingDone, REPLY_WAIT_MS);
  if (!greeting?.[0]) return undefined;
  const first = greeting[0].slice(0, 80);
  if (!dialect.greeting.test(first)) {
    throw new CheckProblem(
      `${target.host}:${target.port} does not greet as an ${dialect.name} server: "${first}"`,
      `check ${dialect.prefix}_HOST and ${dialect.prefix}_PORT`,
    );
  }
  socket.write(`${dialect.capability}\r\n`);
  const capabilities = (await lines.until(dialect.capabilityDone, REPLY_WAIT_MS)) ?? [];
  const offersStarttls = [...greeting, ...capabilities].some((line) => /\bSTARTTLS\b/i.test(line));
  return { socket, greeting: first, offersStarttls, lines };
}

/** Does this port answer a TLS handshake? (Any certificate: only the protocol matters here.) */
async function speaksTls(target: MailPort, track: Track): Promise<boolean> {
  const socket = track(tls.connect({ ...tlsOptions(target), rejectUnauthorized: false }));
  const timer = setTimeout(() => socket.destroy(), REPLY_WAIT_MS);
  try {
    await connected(socket, 'secureConnect');
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}

async function probePlain(dialect: Dialect, target: MailPort, track: Track): Promise<Finding> {
  const at = where(dialect, target);
  const variable = `${dialect.prefix}_SECURITY`;
  let talk: PlainConversation | undefined;
  try {
    talk = await plainConversation(dialect, target, track);
  } catch (error) {
    throw error instanceof CheckProblem ? error : networkProblem(error, at);
  }
  if (!talk) {
    if (await speaksTls(target, track)) {
      throw new CheckProblem(
        `port ${target.port} speaks TLS from the first byte (implicit TLS) and sends no plain greeting`,
        `set ${variable}=tls (or ${at.portVariable}=${dialect.starttlsPort} to keep ${target.security})`,
      );
    }
    throw new CheckProblem(
      `${target.host}:${target.port} sent no ${dialect.name} greeting within ${REPLY_WAIT_MS / 1000} s`,
      `check ${at.hostVariable} and ${at.portVariable}: this port may serve another protocol`,
    );
  }
  if (target.security === 'none') {
    return talk.offersStarttls
      ? {
          status: 'warn',
          detail: `plain ${dialect.name} at ${target.host}:${target.port} although the server offers STARTTLS: credentials cross the network in clear`,
          fix: `set ${variable}=starttls`,
        }
      : {
          status: 'ok',
          detail: `plain ${dialect.name} at ${target.host}:${target.port} (${variable}=none: for a trusted network only)`,
        };
  }
  if (!talk.offersStarttls) {
    throw new CheckProblem(
      `${target.host}:${target.port} offers no STARTTLS`,
      `use the server's TLS port with ${variable}=tls (usually ${dialect.tlsPort}); ${variable}=none only on a trusted network`,
    );
  }
  talk.socket.write(`${dialect.starttls}\r\n`);
  const answer = (await talk.lines.until(dialect.starttlsDone, REPLY_WAIT_MS))?.at(-1) ?? '';
  if (!dialect.starttlsOk.test(answer)) {
    throw new CheckProblem(
      `the server refused STARTTLS${answer ? `: "${answer.slice(0, 80)}"` : ''}`,
      `use the server's TLS port with ${variable}=tls`,
    );
  }
  talk.lines.detach();
  const secure = await connected(
    track(tls.connect(tlsOptions(target, talk.socket)), talk.socket),
    'secureConnect',
  );
  judgeCertificate(secure, at);
  secure.write(`${dialect.quit}\r\n`);
  return {
    status: 'ok',
    detail: `${dialect.name} with STARTTLS (${secure.getProtocol()}) at ${target.host}:${target.port}, certificate trusted`,
  };
}

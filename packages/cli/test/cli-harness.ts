import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { REPO_ROOT } from '@rc/testkit';
import { SMTPServer } from 'smtp-server';
import { runCli, type CliIo } from '../src';

/** What a command printed, line by line. */
export interface Printed {
  code: number;
  stdout: string[];
  stderr: string[];
  /** stdout as JSON lines (with --json) */
  json<T = Record<string, unknown>>(): T[];
}

/** Runs `rc …args` in this process with `env` as its whole environment. */
export async function rc(args: string[], env: Record<string, string>): Promise<Printed> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const sink = (lines: string[]) => ({
    write: (text: string) => lines.push(...text.replace(/\n$/, '').split('\n')),
  });
  const io: CliIo = { env, stdout: sink(stdout), stderr: sink(stderr) };
  const code = await runCli(args, io);
  return {
    code,
    stdout,
    stderr,
    json: <T>() => stdout.map((line) => JSON.parse(line) as T),
  };
}

/** Runs `pnpm --silent rc …args` as a child process, as an operator does. */
export function rcProcess(args: string[], env: Record<string, string>): Promise<Printed> {
  const child = spawn('pnpm', ['--silent', 'rc', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const lines = (text: string) => (text ? text.replace(/\n$/, '').split('\n') : []);
      const stdout = lines(out);
      resolve({
        code: code ?? -1,
        stdout,
        stderr: lines(err),
        json: <T>() => stdout.map((line) => JSON.parse(line) as T),
      });
    });
  });
}

export interface TestSmtpServer {
  port: number;
  stop(): Promise<void>;
}

/**
 * A real SMTP server (nodemailer's smtp-server) with TLS: STARTTLS on a submission-like port, or
 * TLS from the first byte (`implicitTls`), with one accepted password. Mail is dropped.
 */
export async function startTlsSmtpServer(options: {
  tls: { keyPem: string; certPem: string };
  implicitTls: boolean;
  user: string;
  password: string;
  host?: string;
}): Promise<TestSmtpServer> {
  const server = new SMTPServer({
    secure: options.implicitTls,
    key: options.tls.keyPem,
    cert: options.tls.certPem,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.password) {
        callback(null, { user: auth.username });
      } else {
        callback(
          Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }),
        );
      }
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

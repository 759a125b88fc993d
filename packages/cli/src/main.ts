import { runCli } from './cli';

const interrupted = new AbortController();
process.once('SIGINT', () => interrupted.abort());
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: interrupted.signal,
});
process.exitCode = code;
// The command has finished and printed everything. A connection a hung server never closed
// (rc doctor gives up on it after its timeout) must not keep the process waiting.
setTimeout(() => process.exit(code), 1_000).unref();

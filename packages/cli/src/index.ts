export { runCli } from './cli';
export { COMMANDS } from './commands';
export {
  createOutput,
  EXIT,
  type CliIo,
  type Command,
  type CommandContext,
  type ExitCode,
  type Output,
} from './command';
export { loadCliConfig } from './load-config';

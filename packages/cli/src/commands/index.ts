import type { Command } from '../command';
import { DLQ_COMMANDS } from './dlq';
import { doctor } from './doctor';
import { helpCommand } from './help';
import { oauth2Login } from './oauth2-login';

/** Every `rc` command. A new one is a file beside this and one line here. */
export const COMMANDS: readonly Command[] = [
  doctor,
  oauth2Login,
  ...DLQ_COMMANDS,
  helpCommand(() => COMMANDS),
];

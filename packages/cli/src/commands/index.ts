import type { Command } from '../command';
import { cancel } from './cancel';
import { DLQ_COMMANDS } from './dlq';
import { doctor } from './doctor';
import { helpCommand } from './help';
import { inbound } from './inbound';
import { oauth2Login } from './oauth2-login';
import { request } from './request';
import { status } from './status';

/** Every `rc` command. A new one is a file beside this and one line here. */
export const COMMANDS: readonly Command[] = [
  doctor,
  request,
  status,
  cancel,
  inbound,
  oauth2Login,
  ...DLQ_COMMANDS,
  helpCommand(() => COMMANDS),
];

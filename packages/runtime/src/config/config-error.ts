import { CodedError } from '@rc/contracts';

/** Every problem found in the configuration, one line each (name, what is wrong, an example). */
export class ConfigError extends CodedError {
  declare readonly code: 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'), 'CONFIG_INVALID');
    this.name = 'ConfigError';
  }
}

/** The exit code for bad configuration (sysexits.h EX_CONFIG). */
export const EXIT_CONFIG = 78;

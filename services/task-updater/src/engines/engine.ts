import type { TaskEvent } from '@rc/contracts';
import type { ConfigReader, Logger, TypedQueue } from '@rc/runtime';
import type { StoredRequest } from '@rc/store';

/** What the engine made of the decision: taken now, or it had already been taken elsewhere. */
export type EngineResult = 'done' | 'already_done';

/**
 * The one seam to a release engine. `notify` resolves when the engine has the decision (or
 * already had it); it throws PermanentJobError for failures retrying cannot fix and any other
 * error for failures worth retrying.
 */
export interface EngineAdapter {
  readonly name: string;
  notify(event: TaskEvent, request: StoredRequest): Promise<EngineResult>;
}

/** What the task-updater hands an engine when it creates it. */
export interface EngineContext {
  /** the `results` queue, for engines that answer through Redis (RC_ENGINE=queue) */
  results: TypedQueue<'results'>;
  /** RC_TLS_CA_FILE: trusted besides the public roots by HTTP engines */
  tlsCaFile?: string;
  logger: Logger;
}

/**
 * An engine is one file exporting one of these, plus its line in `registry.ts`. `settings` reads
 * its own RC_* variables (strictly when `needed`, i.e. this process runs the task-updater; a
 * process that does not may still be given them and only gets them checked for form).
 * Methods, not function properties: a list of engines with different settings types is then a
 * plain `EngineDefinition<unknown>[]`.
 */
export interface EngineDefinition<S> {
  readonly name: string;
  settings(reader: ConfigReader, needed: boolean): S;
  create(settings: S, context: EngineContext): EngineAdapter;
}

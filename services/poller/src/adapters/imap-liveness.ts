import type { ImapFlow } from 'imapflow';

export interface ImapLivenessOptions {
  /** how often a connection that sits in IDLE is asked a NOOP */
  probeEveryMs: number;
  /** a NOOP unanswered this long means the connection is dead */
  answerWithinMs: number;
}

/**
 * A minute between probes costs one NOOP a minute and finds a dead connection within ~75 s.
 * imapflow alone would take two of its 5-minute socket timeouts (the first only sends a NOOP).
 */
export const DEFAULT_IMAP_LIVENESS: ImapLivenessOptions = Object.freeze({
  probeEveryMs: 60_000,
  answerWithinMs: 15_000,
});

/**
 * RC_IMAP_CHECK_INTERVAL: the probe doubles as the check for new mail. A server tells an IDLE
 * client of new mail only when it chooses to — Dovecot waits 500 ms after the mailbox changed
 * (NOTIFY_DELAY_MSECS in src/lib-storage/mailbox-watch.c), which alone breaks a sub-450 ms
 * pickup — while a NOOP makes it look at the mailbox at once and report EXISTS (RFC 3501
 * 6.1.2). The NOOP ends IDLE (DONE) and IDLE is issued again after it: three short commands
 * per check. `null` (off) keeps IDLE alone, for providers that count commands.
 */
export function withMailChecks(
  liveness: ImapLivenessOptions,
  imap: { checkIntervalMs: number | null },
): ImapLivenessOptions {
  const every = imap.checkIntervalMs;
  return every === null
    ? liveness
    : { ...liveness, probeEveryMs: Math.min(liveness.probeEveryMs, every) };
}

export interface LivenessHooks {
  /** true while the connection sits in IDLE waiting for news, not while a sync uses it */
  idle(): boolean;
  /** re-enters IDLE after a probe (the NOOP ended it) */
  resumeIdle(): void;
  /** the connection is dead; it is closed right after, and its close handler reconnects */
  dead(reason: string): void;
}

/**
 * Probes a connection in IDLE with NOOP. An IDLE connection hears nothing when the peer
 * vanishes without a FIN or RST (a NAT or firewall that dropped its state, a host that died,
 * a server that hangs): the socket looks open until TCP gives up, which takes hours. RFC 2177
 * has the client end IDLE with DONE before any other command, which imapflow does for the NOOP.
 * Returns the function that stops probing.
 */
export function probeLiveness(
  connection: ImapFlow,
  options: ImapLivenessOptions,
  hooks: LivenessHooks,
): () => void {
  let probing = false;
  const timer = setInterval(() => {
    if (probing || !connection.usable || !hooks.idle()) return;
    probing = true;
    void answered(connection, options.answerWithinMs).then((ok) => {
      probing = false;
      if (!connection.usable) return;
      if (!ok) {
        hooks.dead(`no answer to NOOP within ${options.answerWithinMs} ms`);
        connection.close();
      } else if (hooks.idle()) hooks.resumeIdle();
    });
  }, options.probeEveryMs);
  timer.unref();
  return () => clearInterval(timer);
}

function answered(connection: ImapFlow, withinMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), withinMs);
    connection.noop().then(
      () => (clearTimeout(timer), resolve(true)),
      () => (clearTimeout(timer), resolve(false)),
    );
  });
}

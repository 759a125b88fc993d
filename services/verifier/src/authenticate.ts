import { CodedError } from '@rc/contracts';
import type { ParsedMessage, UnderstoodAnswer } from '@rc/mail';
import { checkDkim } from './dkim';
import { checkTrustedDmarc } from './dmarc';
import { cachedResolver, systemResolver, type DnsResolver } from './dns-cache';
import type { VerifierDeps } from './deps';

/** A temporary failure before any side effect: the job is retried. */
export class TemporaryVerifyError extends CodedError {
  constructor(message: string) {
    super(message, 'VERIFY_TEMPORARY');
    this.name = 'TemporaryVerifyError';
  }
}

export type Authentication = { authenticated: boolean } | { failed: string };

let defaultResolver: DnsResolver | undefined;
function resolverOf(deps: VerifierDeps): DnsResolver {
  return deps.dnsResolver ?? (defaultResolver ??= cachedResolver(systemResolver()));
}

/**
 * Step 8, when configured: the receiving MTA's DMARC verdict (RC_REQUIRE_DMARC) and our own
 * DKIM check (RC_VERIFY_DKIM). Says why it failed, or whether From is now proven. A DKIM key
 * lookup that failed is retried by throwing, except on the job's last attempt.
 */
export async function authenticate(
  message: ParsedMessage,
  from: string,
  understood: UnderstoodAnswer,
  deps: VerifierDeps,
  context: { raw: Buffer; now: Date; finalAttempt: boolean },
): Promise<Authentication> {
  const { settings } = deps;
  if (settings.requireDmarc) {
    const dmarc = checkTrustedDmarc(message, settings.trustedAuthservId ?? '', from);
    if (!dmarc.pass) return { failed: dmarc.detail };
  }
  if (settings.verifyDkim) {
    const dkim = await checkDkim(context.raw, {
      from,
      signedHeaders: headersTheAnswerIsReadFrom(message, understood),
      headers: message.headers,
      resolver: resolverOf(deps),
      now: context.now,
    });
    if (dkim.result === 'temperror' && !context.finalAttempt)
      throw new TemporaryVerifyError(`DKIM key lookup failed: ${dkim.detail}`);
    if (dkim.result !== 'pass') return { failed: `DKIM: ${dkim.detail}` };
  }
  return { authenticated: settings.requireDmarc || settings.verifyDkim === true };
}

/** Header fields that name the request or the action, and so must be covered by DKIM. */
function headersTheAnswerIsReadFrom(
  message: ParsedMessage,
  understood: UnderstoodAnswer,
): string[] {
  const fields: string[] = [];
  if (understood.inSubject.length > 0) fields.push('subject');
  if (understood.tokens.direct.length === 0) {
    if (message.headers.has('in-reply-to')) fields.push('in-reply-to');
    if (message.headers.has('references')) fields.push('references');
  }
  return fields;
}

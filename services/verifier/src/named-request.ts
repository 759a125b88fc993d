import type { RejectionReason } from '@rc/contracts';
import type { FoundTokens } from '@rc/mail';
import { normalizeAddress } from '@rc/mail';
import type { AnswerRef, RequestStore } from '@rc/store';
import { verifyAnswerToken, type SigningKeyring } from '@rc/tokens';

export type NamedRequest =
  { requestId: string; recipients: Set<string> } | { reason: RejectionReason; detail?: string };

/**
 * Steps 10 to 12: the request the answer names, and whom its tokens were minted for. Every
 * signature is checked before any lookup (constant time, in @rc/tokens).
 */
export async function findNamedRequest(
  found: FoundTokens,
  keyring: SigningKeyring,
  store: RequestStore,
): Promise<NamedRequest> {
  if (found.direct.length + found.referenced.length + found.quoted.length === 0)
    return { reason: 'no_token' };
  // A direct token that does not verify is tampered or from a retired key: never fall back
  // to anything else in the same message.
  const forged = found.direct.find((token) => !verifyAnswerToken(keyring, token));
  if (forged)
    return { reason: 'bad_signature', detail: `token rc-${forged.kid}-… does not verify` };
  // Without a direct token, the request is named by the signed Message-ID the reply refers
  // to, or failing that (a client that drops In-Reply-To) by the quoted request; neither
  // carries an action.
  const referenced = found.referenced.filter((token) => verifyAnswerToken(keyring, token));
  const quoted = found.quoted.filter((token) => verifyAnswerToken(keyring, token));
  const tokens =
    found.direct.length > 0 ? found.direct : referenced.length > 0 ? referenced : quoted;
  if (tokens.length === 0)
    return { reason: 'bad_signature', detail: 'no referenced or quoted token verifies' };

  const refs = new Map<string, AnswerRef | null>();
  for (const token of tokens)
    if (!refs.has(token.ref)) refs.set(token.ref, await store.resolveRef(token.ref));
  const known = [...refs.values()].filter((ref) => ref !== null);
  const requestIds = [...new Set(known.map((ref) => ref.requestId))];
  const [requestId] = requestIds;
  if (requestId === undefined)
    return { reason: 'unknown_request', detail: 'the answer token names no stored request' };
  if (requestIds.length > 1)
    return {
      reason: 'ambiguous',
      detail: `tokens of ${requestIds.length} requests: ${requestIds.join(', ')}`,
    };
  // Refs hold the assignee's address as the engine gave it; From is compared in the same form.
  return { requestId, recipients: new Set(known.map((ref) => normalizeAddress(ref.recipient))) };
}

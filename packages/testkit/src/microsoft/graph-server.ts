import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntraTokenStore } from './entra-tokens';
import { sendGraphError } from './graph-errors';
import { handleMessageDelta } from './graph-delta';
import { handleFolder, handleFolderCollection } from './graph-folders';
import type { GraphMailbox } from './graph-mailbox';
import { handleMessage, listMessages } from './graph-messages';
import { graphPathSegments, prefersImmutableIds, type GraphRequest } from './graph-request';
import { handleSendMail, type SentMail } from './graph-send-mail';
import type { SubscriptionRegistry } from './graph-subscription-routes';
import type { GraphRequestRecord, GraphThrottle } from './graph-throttle';

export interface GraphServerContext {
  /** `https://127.0.0.1:PORT/v1.0` */
  baseUrl(): string;
  /** the `aud` a token must carry, `https://graph.microsoft.com` unless a national cloud is faked */
  audience: string;
  tokens: EntraTokenStore;
  mailbox(user: string): GraphMailbox | undefined;
  throttle: GraphThrottle;
  subscriptions: SubscriptionRegistry;
  /** added to every admitted request, so concurrency can be observed */
  latencyMs: number;
  sendMailMaxBytes: number;
  deliver(mail: SentMail): void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The bearer check: issued by this fake's Entra, for Graph, live (learn.microsoft.com/graph/errors). */
function authenticate(
  ctx: GraphServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): { clientId: string; user?: string } | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  const unauthorized = (message: string): undefined => {
    sendGraphError(req, res, 401, 'InvalidAuthenticationToken', message, {
      'www-authenticate':
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="invalid_token"',
    });
    return undefined;
  };
  if (!match?.[1]) return unauthorized('Access token is empty.');
  const found = ctx.tokens.lookupAccessToken(match[1]);
  if (!found.ok) {
    if (found.reason === 'expired')
      return unauthorized('Lifetime validation failed, the token is expired.');
    if (found.reason === 'revoked') return unauthorized('Access token has been revoked.');
    return unauthorized('IDX14100: JWT is not well formed, there are no dots (.).');
  }
  // Graph also accepts its own origin as `aud`: clients ask for `${RC_GRAPH_BASE_URL origin}/.default`.
  const ownOrigin = new URL(ctx.baseUrl()).origin;
  if (found.record.audience !== ctx.audience && found.record.audience !== ownOrigin) {
    return unauthorized('Access token validation failure. Invalid audience.');
  }
  return {
    clientId: found.record.clientId,
    ...(found.record.user ? { user: found.record.user } : {}),
  };
}

export function createGraphHandler(
  ctx: GraphServerContext,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', ctx.baseUrl());
    if (!url.pathname.startsWith('/v1.0/')) {
      sendGraphError(req, res, 400, 'BadRequest', `Invalid version: ${url.pathname}`);
      return;
    }
    const segments = graphPathSegments(url.pathname);
    const user = segments[0]?.toLowerCase() === 'users' ? segments[1] : undefined;
    const record: GraphRequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      mailbox: user?.toLowerCase(),
      at: Date.now(),
    };
    ctx.throttle.stats.requests.push(record);
    res.once('finish', () => {
      record.status = res.statusCode;
    });

    const caller = authenticate(ctx, req, res);
    if (!caller) return;
    const admission = ctx.throttle.admit(record);
    if (!admission.ok) {
      const headers: Record<string, string> =
        admission.retryAfterSeconds === undefined
          ? {}
          : { 'retry-after': String(admission.retryAfterSeconds) };
      sendGraphError(req, res, admission.status, admission.code, admission.message, headers);
      return;
    }
    // In flight until the answer is fully sent or the client went away.
    res.once('close', admission.release);
    if (ctx.latencyMs > 0) await sleep(ctx.latencyMs);

    if (segments[0] === 'subscriptions') {
      await ctx.subscriptions.handle(req, res, segments[1], caller.clientId);
      return;
    }
    if (user === undefined) {
      sendGraphError(
        req,
        res,
        400,
        'BadRequest',
        `Resource not found for the segment '${segments[0] ?? ''}'.`,
      );
      return;
    }
    const mailbox = ctx.mailbox(user);
    if (!mailbox) {
      sendGraphError(req, res, 404, 'ErrorInvalidUser', `The requested user '${user}' is invalid.`);
      return;
    }
    if (caller.user && caller.user.toLowerCase() !== mailbox.user.toLowerCase()) {
      sendGraphError(
        req,
        res,
        403,
        'ErrorAccessDenied',
        'Access is denied. Check credentials and try again.',
      );
      return;
    }
    await route(
      {
        req,
        res,
        url,
        segments: segments.slice(2),
        mailbox,
        immutableIds: prefersImmutableIds(req),
        baseUrl: ctx.baseUrl(),
      },
      ctx,
    );
  };
}

async function route(r: GraphRequest, ctx: GraphServerContext): Promise<void> {
  const [first, folderKey, third, messageId, action] = r.segments;
  const method = r.req.method ?? 'GET';
  if (first === 'sendMail' && r.segments.length === 1 && method === 'POST') {
    await handleSendMail(r, ctx.sendMailMaxBytes, ctx.deliver);
  } else if (first === 'mailFolders' && folderKey === undefined) {
    await handleFolderCollection(r);
  } else if (first === 'mailFolders' && folderKey !== undefined && third === undefined) {
    handleFolder(r, folderKey);
  } else if (first === 'mailFolders' && folderKey !== undefined && third === 'childFolders') {
    await handleFolderCollection(r, folderKey);
  } else if (first === 'mailFolders' && folderKey !== undefined && third === 'messages') {
    if (messageId === undefined && method === 'GET') listMessages(r, folderKey);
    else if (messageId === 'delta' && action === undefined) handleMessageDelta(r, folderKey);
    else if (messageId !== undefined) await handleMessage(r, messageId, action);
    else
      sendGraphError(r.req, r.res, 405, 'ErrorInvalidRequest', `${method} is not supported here.`);
  } else if (first === 'messages' && folderKey !== undefined && r.segments.length <= 3) {
    await handleMessage(r, folderKey, third);
  } else {
    sendGraphError(
      r.req,
      r.res,
      400,
      'BadRequest',
      `Resource not found for the segment '${r.segments.join('/')}'.`,
    );
  }
}

import { createPrivateKey, X509Certificate } from 'node:crypto';
import type {
  ConfidentialClientApplication,
  Configuration,
  INetworkModule,
  NetworkRequestOptions,
  NetworkResponse,
} from '@azure/msal-node';
import type * as Msal from '@azure/msal-node';
import { CodedError } from '@rc/contracts';
import { aadstsIn, describeEntraError } from './entra-errors';
import type { GraphSettings } from '@rc/runtime';
import { createTlsFetch, type Fetch } from './tls-fetch';

/** msal-node (and the JWT libraries it brings, ~120 ms to load) only once a token is wanted. */
let msalModule: Promise<typeof Msal> | undefined;
const loadMsal = (): Promise<typeof Msal> => (msalModule ??= import('@azure/msal-node'));

export interface GraphTokenSource {
  /** An app-only Graph token; from msal's cache unless it is near expiry or forceRefresh. */
  getToken(options?: { forceRefresh?: boolean }): Promise<string>;
  /** `${graph origin}/.default`, e.g. https://graph.microsoft.us/.default */
  readonly scope: string;
}

export interface GraphTokenOptions {
  tlsCaFile?: string;
  /** Instead of the CA-aware fetch (tests count token requests this way). */
  fetch?: Fetch;
}

/**
 * App-only tokens by the client-credentials grant. msal caches the token in memory and renews
 * it 5 minutes before expiry; concurrent callers share one in-flight request, so a burst of
 * Graph calls at start-up asks Entra once, not once per call.
 */
export function createGraphTokenSource(
  graph: GraphSettings,
  options: GraphTokenOptions = {},
): GraphTokenSource {
  const fetchImpl = options.fetch ?? createTlsFetch(options.tlsCaFile);
  const authorityHost = graph.authorityHost.replace(/\/+$/, '');
  const auth: Configuration['auth'] = {
    clientId: graph.clientId,
    authority: `${authorityHost}/${graph.tenantId}`,
    // A host listed here skips instance discovery at login.microsoftonline.com (unreachable
    // from a national cloud, a private network or a test); msal compares it with the port.
    knownAuthorities: [new URL(authorityHost).host],
    ...credentialOf(graph),
  };
  let app: Promise<ConfidentialClientApplication> | undefined;
  const client = () =>
    (app ??= loadMsal().then(
      (msal) =>
        new msal.ConfidentialClientApplication({
          auth,
          system: { networkClient: fetchNetworkClient(fetchImpl, msal) },
        }),
    ));
  const scope = `${new URL(graph.baseUrl).origin}/.default`;
  // Concurrent callers share one request: a burst of calls (or of 401s) asks Entra once.
  const inFlight: { cached?: Promise<string>; forced?: Promise<string> } = {};

  async function acquire(forceRefresh: boolean): Promise<string> {
    try {
      const result = await (
        await client()
      ).acquireTokenByClientCredential({
        scopes: [scope],
        skipCache: forceRefresh,
      });
      if (!result?.accessToken) throw new Error('no access token in the answer');
      return result.accessToken;
    } catch (error) {
      throw toCodedError(error, await loadMsal());
    }
  }

  return {
    scope,
    getToken({ forceRefresh = false } = {}) {
      const slot = forceRefresh ? 'forced' : 'cached';
      const running = inFlight[slot];
      if (running) return running;
      const request = acquire(forceRefresh).finally(() => {
        if (inFlight[slot] === request) inFlight[slot] = undefined;
      });
      inFlight[slot] = request;
      return request;
    },
  };
}

function credentialOf(graph: GraphSettings): Partial<Configuration['auth']> {
  if (graph.certificatePem)
    return { clientCertificate: certificateCredential(graph.certificatePem) };
  if (graph.clientSecret) return { clientSecret: graph.clientSecret };
  throw new CodedError(
    'Graph needs RC_GRAPH_CLIENT_SECRET or RC_GRAPH_CLIENT_CERTIFICATE_FILE',
    'CONFIG_INVALID',
  );
}

/** One PEM with the certificate and its key → what msal signs its client assertion with. */
export function certificateCredential(pem: string): {
  thumbprintSha256: string;
  privateKey: string;
} {
  try {
    const certificate = new X509Certificate(pem);
    // msal wants PKCS#8 ("BEGIN PRIVATE KEY"); keys often come as PKCS#1 ("BEGIN RSA PRIVATE KEY").
    const privateKey = createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
    return { thumbprintSha256: certificate.fingerprint256.replace(/:/g, ''), privateKey };
  } catch (error) {
    throw new CodedError(
      'RC_GRAPH_CLIENT_CERTIFICATE_FILE must hold a PEM certificate and its unencrypted private key',
      'CONFIG_INVALID',
      { cause: error },
    );
  }
}

function toCodedError(error: unknown, { AuthError }: typeof Msal): CodedError {
  if (error instanceof CodedError) return error;
  if (error instanceof AuthError && error.errorCode === 'network_error') {
    return new CodedError('Entra ID token endpoint unreachable', 'MAILBOX_UNAVAILABLE');
  }
  if (error instanceof AuthError) {
    const errorNo = Number((error as { errorNo?: unknown }).errorNo);
    const line = describeEntraError({
      error: error.errorCode || 'auth_error',
      aadsts: Number.isFinite(errorNo) && errorNo > 0 ? errorNo : aadstsIn(error.errorMessage),
    });
    return new CodedError(`Graph app token refused: ${line}`, 'AUTH_FAILED');
  }
  return new CodedError('Graph app token failed', 'AUTH_FAILED', { cause: error });
}

/** msal's INetworkModule over a fetch that trusts RC_TLS_CA_FILE (mirrors msal's HttpClient). */
function fetchNetworkClient(fetchImpl: Fetch, { AuthError }: typeof Msal): INetworkModule {
  async function send<T>(
    url: string,
    method: 'GET' | 'POST',
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers: options?.headers,
        body: method === 'POST' ? (options?.body ?? '') : undefined,
        signal: timeout ? AbortSignal.timeout(timeout) : undefined,
      });
    } catch (error) {
      throw new AuthError('network_error', `Network request failed: ${(error as Error).message}`);
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => (headers[key] = value));
    const text = await response.text();
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch {
      body = {} as T;
    }
    return { headers, body, status: response.status };
  }
  return {
    sendGetRequestAsync: (url, options, timeout) => send(url, 'GET', options, timeout),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
  };
}

import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { Agent, fetch } from 'undici';

/**
 * An msal-node `system.networkClient` that trusts the fake's CA. msal-node 5+ sends with the
 * global fetch and ignores `customAgentOptions`, and Node's fetch takes a CA only through an
 * undici dispatcher (or NODE_EXTRA_CA_CERTS at start-up).
 */
export function trustingNetworkClient(caPem: string): INetworkModule & { close(): Promise<void> } {
  const dispatcher = new Agent({ connect: { ca: caPem } });
  const send = async <T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions | undefined,
    timeoutMs?: number,
  ): Promise<NetworkResponse<T>> => {
    const response = await fetch(url, {
      method,
      headers: options?.headers ?? {},
      ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
      dispatcher,
      ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    const text = await response.text();
    return { headers, status: response.status, body: (text ? JSON.parse(text) : {}) as T };
  };
  return {
    sendGetRequestAsync: (url, options, timeout) => send('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
    close: () => dispatcher.close(),
  };
}

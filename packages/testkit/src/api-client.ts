/** One answer of the product's HTTP API, its body parsed as JSON when it is JSON. */
export interface ApiResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read loose JSON bodies
  json: any;
  headers: Headers;
}

/**
 * Calls the product's HTTP API. `body` goes as JSON, or as it is when it is a string (junk for
 * the intake's validation). `token` overrides the client's bearer token; `null` sends none.
 */
export type ApiCall = (
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
) => Promise<ApiResponse>;

export function createApiClient(baseUrl: string, token: string | null): ApiCall {
  return async (method, path, body, tokenOverride) => {
    const bearer = tokenOverride === undefined ? token : tokenOverride;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: parseLoosely(text), headers: response.headers };
  };
}

function parseLoosely(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON (a plain-text error page, metrics): the test sees the text
  }
}

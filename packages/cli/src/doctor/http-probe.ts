import http from 'node:http';
import https from 'node:https';
import { tlsTrustOptions } from '@rc/runtime';
import type { CheckProblem } from './check';
import { certificateProblem, networkProblem } from './tls-trouble';

export interface HttpAnswer {
  status: number;
  location?: string;
}

/**
 * One request without a body, verified against RC_TLS_CA_FILE like the engines' calls, never
 * following a redirect (the engines do not either). Connection and certificate failures come
 * back as a CheckProblem naming `urlVariable`.
 */
export function httpProbe(
  url: URL,
  request: { method: 'GET' | 'HEAD' | 'OPTIONS'; headers?: Record<string, string> },
  options: { urlVariable: string; tlsCaFile?: string; signal: AbortSignal },
): Promise<HttpAnswer> {
  const secure = url.protocol === 'https:';
  const port = Number(url.port) || (secure ? 443 : 80);
  const where = { host: url.hostname, port, hostVariable: options.urlVariable };
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      url,
      {
        method: request.method,
        headers: { 'User-Agent': 'remote-completion doctor', ...request.headers },
        agent: false,
        signal: options.signal,
        ...(secure ? tlsTrustOptions(options.tlsCaFile) : {}),
      },
      (res) => {
        res.resume(); // the body says nothing the status does not
        const location = res.headers.location;
        resolve({ status: res.statusCode ?? 0, location });
        res.destroy();
      },
    );
    req.on('error', (error: Error & { code?: string; cert?: never }) => {
      const problem: CheckProblem =
        error.code && /CERT|SELF_SIGNED|UNABLE_TO/.test(error.code)
          ? certificateProblem(
              error.code,
              { ...where, tlsCaFile: options.tlsCaFile },
              (error as { cert?: Parameters<typeof certificateProblem>[2] }).cert,
            )
          : networkProblem(error, where);
      reject(problem);
    });
    req.end();
  });
}

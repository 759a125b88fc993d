import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { rootCertificates } from 'node:tls';
import type { Agent } from 'undici';
import type * as Undici from 'undici';

/** undici (~80 ms to load) only where a private CA is configured: start-up pays nothing else. */
const loadUndici = (): typeof Undici => createRequire(import.meta.url)('undici') as typeof Undici;

export type Fetch = typeof globalThis.fetch;

const agentsByCaFile = new Map<string, Agent>();

/**
 * Node's global fetch trusts only the public roots (or NODE_EXTRA_CA_CERTS read at start-up),
 * and msal-node 5+ sends through it ignoring `customAgentOptions`. An undici Agent passed as
 * `dispatcher` is the one per-call way in. `ca` replaces Node's roots, so they are listed again:
 * the private CA is trusted besides them, not instead. One Agent per CA file, so connections
 * are pooled across every caller in the process.
 */
export function createTlsFetch(tlsCaFile?: string): Fetch {
  if (!tlsCaFile) return globalThis.fetch;
  let dispatcher = agentsByCaFile.get(tlsCaFile);
  if (!dispatcher) {
    const pem = readFileSync(tlsCaFile, 'utf8');
    dispatcher = new (loadUndici().Agent)({ connect: { ca: [...rootCertificates, pem] } });
    agentsByCaFile.set(tlsCaFile, dispatcher);
  }
  const agent = dispatcher;
  return (input, init) => globalThis.fetch(input, { ...init, dispatcher: agent } as RequestInit);
}

import type { ConfigReader } from './reader';
import type { ServiceRole } from './roles';

/** The HTTP port (health, metrics, intake, API) and what the API serves. */
export interface HttpConfig {
  httpPort: number;
  /** RC_API_TOKEN: bearer token of the intake and the API; absent = no intake */
  apiToken?: string;
  /** RC_ADMIN_PASSWORD: HTTP Basic password (user `admin`) of /admin/; absent = no admin pages */
  adminPassword?: string;
  /** RC_INBOUND_LOG_MAX_ENTRIES, RC_INBOUND_LOG_MAX_AGE: retention of the inbound log */
  inboundLog: { maxEntries: number; maxAgeMs: number };
}

const DEFAULT_PORTS: Record<ServiceRole, number> = {
  sender: 8080,
  poller: 8081,
  verifier: 8082,
  'task-updater': 8083,
};

export function readHttpConfig(read: ConfigReader, roles: ServiceRole[]): HttpConfig {
  const apiToken = read.string('RC_API_TOKEN');
  if (apiToken !== undefined && apiToken.length < 16) {
    read.problem('RC_API_TOKEN', 'must be at least 16 characters', '$(openssl rand -hex 24)');
  }
  const adminPassword = read.string('RC_ADMIN_PASSWORD');
  if (adminPassword !== undefined && adminPassword.length < 12) {
    read.problem('RC_ADMIN_PASSWORD', 'must be at least 12 characters', '$(openssl rand -hex 16)');
  }
  // One service alone listens on its own port; several in one process share 8080.
  const defaultPort = roles.length === 1 && roles[0] ? DEFAULT_PORTS[roles[0]] : 8080;
  return {
    httpPort: read.integer('RC_HTTP_PORT', defaultPort, 0, 65535, String(defaultPort)),
    apiToken,
    adminPassword,
    inboundLog: {
      maxEntries: read.integer('RC_INBOUND_LOG_MAX_ENTRIES', 100_000, 100, 100_000_000, '100000'),
      maxAgeMs: read.duration('RC_INBOUND_LOG_MAX_AGE', '30d', '30d'),
    },
  };
}

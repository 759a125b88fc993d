/** One `host:port` of a cluster seed list or a sentinel list. */
export interface RedisNode {
  host: string;
  port: number;
}

interface Credentials {
  username?: string;
  password?: string;
  tls: boolean;
}

/**
 * What RC_REDIS_URL names (README, "Redis"):
 * - `redis://[user:pass@]host[:port][/db]` or `rediss://…`: one server;
 * - `redis://h1:7000,h2:7001` (two or more seed nodes) or `redis+cluster://h1:7000` (one seed,
 *   e.g. a Kubernetes service): a Redis Cluster;
 * - `redis+sentinel://s1:26379,s2:26379/mymaster[/db]`: the master Sentinel names `mymaster`.
 * `rediss` in any of them turns TLS on; credentials are the data nodes' (a cluster's nodes, the
 * sentinel-managed master and replicas), never the sentinels'.
 */
export type RedisTopology =
  | { kind: 'standalone'; url: string }
  | ({ kind: 'cluster'; nodes: RedisNode[] } & Credentials)
  | ({ kind: 'sentinel'; sentinels: RedisNode[]; masterName: string; db: number } & Credentials);

const FORM = /^(rediss?)(\+cluster|\+sentinel)?:\/\/(.*)$/i;
const HOST = /^(?:[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])$/;

/**
 * The topology RC_REDIS_URL names, or why it names none: `problem` is empty when the value is
 * none of the forms, and never holds a secret.
 */
export function parseRedisUrl(value: string): RedisTopology | { problem: string } {
  const form = FORM.exec(value.trim());
  const refused = { problem: '' };
  if (!form) return refused;
  const [, scheme = '', variant = '', rest = ''] = form;
  const tls = scheme.toLowerCase() === 'rediss';
  const at = rest.lastIndexOf('@');
  const afterUser = rest.slice(at + 1);
  const end = afterUser.search(/[/?]/);
  const hostList = end < 0 ? afterUser : afterUser.slice(0, end);
  const path = end < 0 ? '' : afterUser.slice(end);
  const kind = variant.toLowerCase();

  if (kind === '' && !hostList.includes(',')) {
    try {
      return new URL(value.trim()).hostname ? { kind: 'standalone', url: value.trim() } : refused;
    } catch {
      return refused;
    }
  }
  const sentinel = kind === '+sentinel';
  const nodes = parseNodes(hostList, sentinel ? 26379 : 6379);
  const credentials = parseCredentials(at < 0 ? '' : rest.slice(0, at));
  if (!nodes || !credentials) return refused;
  if (!sentinel) {
    if (path !== '' && path !== '/') {
      return { problem: 'a Redis Cluster has only database 0: drop the path' };
    }
    return { kind: 'cluster', nodes, tls, ...credentials };
  }
  const [masterName = '', db = '0', ...more] = path.replace(/\?.*$/, '').slice(1).split('/');
  if (!masterName || more.length > 0 || !/^\d{1,2}$/.test(db)) {
    return { problem: 'a Sentinel URL ends in /<master name>[/<db>]' };
  }
  return {
    kind: 'sentinel',
    sentinels: nodes,
    masterName: decodeURIComponent(masterName),
    db: Number(db),
    tls,
    ...credentials,
  };
}

function parseNodes(list: string, defaultPort: number): RedisNode[] | undefined {
  const nodes: RedisNode[] = [];
  for (const item of list.split(',')) {
    const match = /^(.*?)(?::(\d{1,5}))?$/.exec(item.trim());
    const host = match?.[1] ?? '';
    const port = match?.[2] === undefined ? defaultPort : Number(match[2]);
    if (!HOST.test(host) || port < 1 || port > 65535) return undefined;
    nodes.push({ host: host.replace(/^\[(.*)\]$/, '$1'), port });
  }
  return nodes.length > 0 ? nodes : undefined;
}

function parseCredentials(userinfo: string): Omit<Credentials, 'tls'> | undefined {
  if (userinfo === '') return {};
  const colon = userinfo.indexOf(':');
  try {
    const username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
    const password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
    return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * Redis Cluster hashes only the part between the first `{` and the next `}` when there is one
 * (the "hash tag", cluster spec §"Hash tags"), so a prefix with a non-empty tag puts every key
 * of a deployment into one slot: BullMQ's and our Lua scripts and MULTIs touch several keys
 * at once, which a cluster refuses across slots (CROSSSLOT).
 */
export function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  return open >= 0 && prefix.indexOf('}', open + 1) > open + 1;
}

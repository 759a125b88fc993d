import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dataNodeArgs, startRedisNode, type RedisNodeProcess } from './redis-node';
import { probeTcp, retryUntil } from './wait';

const run = promisify(execFile);

/** A local Redis Cluster: masters only, every slot served, reachable on 127.0.0.1. */
export interface RedisClusterServer {
  /** RC_REDIS_URL naming every master as a seed node: `redis://127.0.0.1:p1,127.0.0.1:p2,…` */
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

/**
 * Starts `masters` × `redis-server --cluster-enabled yes` on free ports and joins them with
 * `redis-cli --cluster create … --cluster-yes` (no replicas: the test is about slots and
 * routing, not failover); resolves once every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterServer> {
  const nodes: RedisNodeProcess[] = [];
  const stop = async () => {
    await Promise.allSettled(nodes.map((node) => node.stop()));
  };
  try {
    for (let i = 0; i < masters; i++) {
      nodes.push(
        await startRedisNode(
          (port, dir) => [
            ...dataNodeArgs(port, dir),
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            '2000',
          ],
          { freeAlso: [10_000], label: `redis cluster node ${i + 1}` },
        ),
      );
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-yes'], {
      timeout: 30_000,
    });
    for (const node of nodes) {
      await retryUntil(
        `cluster state ok on ${node.port}`,
        () => probeTcp(node.port, /cluster_state:ok/, { send: 'CLUSTER INFO\r\n' }),
        { timeoutMs: 20_000, intervalMs: 200 },
      );
    }
    return {
      url: `redis://${addresses.join(',')}`,
      ports: nodes.map((node) => node.port),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

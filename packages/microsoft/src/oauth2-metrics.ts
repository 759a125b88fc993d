import { metrics, registry } from '@rc/runtime';

interface MetricConfig {
  name: string;
  help: string;
  labelNames?: string[];
  registers: (typeof registry)[];
}

/*
 * prom-client is @rc/runtime's dependency, not ours (adding one needs `pnpm add`), so the
 * Counter and Gauge classes are taken from runtime's own metrics; they register in its registry
 * and show up on every service's /metrics.
 */
const Counter = metrics.requestsCreated.constructor as new (config: MetricConfig) => {
  inc(labels: Record<string, string>, value?: number): void;
};
const Gauge = metrics.queueDepth.constructor as new (config: MetricConfig) => {
  set(value: number): void;
};

type OAuth2Metrics = {
  refreshFailures: InstanceType<typeof Counter>;
  tokenOk: InstanceType<typeof Gauge>;
};
let created: OAuth2Metrics | undefined;

/**
 * Registered when the first token manager is made, not on import: a process without OAuth2
 * must not show `rc_oauth2_token_ok 0` (an alert would fire for nothing).
 */
export function oauth2Metrics(): OAuth2Metrics {
  created ??= {
    refreshFailures: new Counter({
      name: 'rc_oauth2_refresh_failures_total',
      help: 'OAuth2 refresh-token grants that failed, by the provider error code (invalid_grant, …)',
      labelNames: ['code'],
      registers: [registry],
    }),
    tokenOk: new Gauge({
      name: 'rc_oauth2_token_ok',
      help: '1 while the last OAuth2 token refresh succeeded, 0 after a failure (alert on 0)',
      registers: [registry],
    }),
  };
  return created;
}

import type { DeviceCodeStore } from './device-codes';
import type { EntraTokenStore } from './entra-tokens';
import type { GraphServerContext } from './graph-server';
import type { GraphThrottle } from './graph-throttle';
import type { MicrosoftFake } from './microsoft-fake';

/** The knobs a test may turn mid-run, as plain properties over the parts that own them. */
export function fakeSettings(
  tokens: EntraTokenStore,
  deviceCodes: DeviceCodeStore,
  graph: GraphServerContext,
  throttle: GraphThrottle,
): MicrosoftFake['settings'] {
  return {
    get accessTokenLifetimeSeconds() {
      return tokens.lifetimes.accessTokenSeconds;
    },
    set accessTokenLifetimeSeconds(value) {
      tokens.lifetimes.accessTokenSeconds = value;
    },
    get refreshTokenLifetimeSeconds() {
      return tokens.lifetimes.refreshTokenSeconds;
    },
    set refreshTokenLifetimeSeconds(value) {
      tokens.lifetimes.refreshTokenSeconds = value;
    },
    get refreshTokenRotation() {
      return tokens.rotation;
    },
    set refreshTokenRotation(value) {
      tokens.rotation = value;
    },
    get deviceCodeIntervalSeconds() {
      return deviceCodes.intervalSeconds;
    },
    set deviceCodeIntervalSeconds(value) {
      deviceCodes.intervalSeconds = value;
    },
    get graphLatencyMs() {
      return graph.latencyMs;
    },
    set graphLatencyMs(value) {
      graph.latencyMs = value;
    },
    get mailboxConcurrencyLimit() {
      return throttle.concurrencyLimit;
    },
    set mailboxConcurrencyLimit(value) {
      throttle.concurrencyLimit = value;
    },
  };
}

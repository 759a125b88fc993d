import { openRefreshTokenStore, runDeviceCodeFlow } from '@rc/microsoft';
import { createRedis, pingRedis, type ConfigSection } from '@rc/runtime';
import { EXIT, type Command } from '../command';
import { loadCliConfig } from '../load-config';

/** What login needs beyond what the services' configuration requires of every process. */
const loginSettings: ConfigSection<void> = {
  name: 'cli:oauth2-login',
  read(reader) {
    const why = 'for rc oauth2 login';
    reader.required(
      'RC_OAUTH2_TOKEN_URL',
      'https://login.microsoftonline.com/TENANT/oauth2/v2.0/token',
      why,
    );
    reader.required('RC_OAUTH2_CLIENT_ID', '00000000-0000-0000-0000-000000000000', why);
    if (reader.string('RC_ENCRYPTION_KEY') === undefined) {
      reader.problem(
        'RC_ENCRYPTION_KEY',
        `is required ${why}: the refresh token is stored in Redis encrypted with it`,
        '$(openssl rand -hex 32)',
      );
    }
  },
};

function minutes(seconds: number): string {
  return `${Math.max(1, Math.round(seconds / 60))} min`;
}

/**
 * SPEC 3.6 `rc oauth2 login`: the OAuth2 device-code flow (RFC 8628), so nobody pastes a refresh
 * token by hand. The refresh token goes straight into the sealed store every replica reads; it
 * is never printed, and neither is the access token.
 */
export const oauth2Login: Command = {
  name: ['oauth2', 'login'],
  summary: 'sign in once by the device-code flow and store the refresh token, encrypted, in Redis',
  usage: '[--device-code-url URL]',
  details: [
    'Uses RC_OAUTH2_TOKEN_URL, RC_OAUTH2_CLIENT_ID (and RC_OAUTH2_CLIENT_SECRET if the app has',
    'one), RC_OAUTH2_SCOPE, RC_ENCRYPTION_KEY and RC_REDIS_URL, as the services do. The device-code',
    "endpoint sits beside Microsoft's token endpoint (…/oauth2/v2.0/devicecode); other providers",
    'name theirs with --device-code-url.',
  ],
  options: { 'device-code-url': { type: 'string' } },
  async run({ io, out, values }) {
    const config = loadCliConfig(io, out, [], [loginSettings]);
    if (!config) return EXIT.config;
    const { oauth2 } = config;
    if (!oauth2) return EXIT.config; // loginSettings reported it
    const redis = createRedis(config.redisUrl, 'client', { tlsCaFile: config.tlsCaFile });
    redis.on('error', () => undefined); // reported by the ping or the write below
    try {
      const store = openRefreshTokenStore({
        redis,
        prefix: config.queuePrefix,
        clientId: oauth2.clientId,
        encryptionKeys: config.encryptionKeys,
      });
      // Before anyone signs in: a sign-in whose token cannot be stored is wasted.
      await pingRedis(redis);
      const tokens = await runDeviceCodeFlow({
        oauth2,
        deviceCodeUrl:
          typeof values['device-code-url'] === 'string' ? values['device-code-url'] : undefined,
        tlsCaFile: config.tlsCaFile,
        signal: io.signal,
        onPrompt(prompt) {
          out.event(
            'prompt',
            {
              verificationUri: prompt.verificationUri,
              userCode: prompt.userCode,
              expiresInSec: prompt.expiresInSec,
            },
            `To sign in, open ${prompt.verificationUri} and enter the code ${prompt.userCode} (valid for ${minutes(prompt.expiresInSec)}). Waiting…`,
          );
        },
      });
      // With RC_OAUTH2_REFRESH_TOKEN still set, storing its hash beside the new token is what
      // makes the services prefer the token stored here (see pickRefreshToken).
      await store.write(tokens.refreshToken, oauth2.refreshToken);
      const keyId = config.encryptionKeys?.[0]?.id;
      out.result(
        true,
        {
          command: 'oauth2 login',
          clientId: oauth2.clientId,
          scope: oauth2.scope,
          redisKey: store.key,
          encryptionKeyId: keyId,
          storedAt: new Date().toISOString(),
        },
        `Signed in. The refresh token for client ${oauth2.clientId} is stored in Redis under ${store.key}, encrypted with key "${keyId}"; every replica uses it from now on.`,
      );
      return EXIT.ok;
    } finally {
      redis.disconnect();
    }
  },
};

import { entraFix, OAuth2GrantError } from '@rc/microsoft';
import type { Config } from '@rc/runtime';
import { CheckProblem, type DoctorCheck, type Finding } from './check';
import { grantedPermissions, jwtClaims, permissionName } from './jwt-claims';
import type { DoctorResources } from './resources';

/** Outlook's resource, by URL or by its well-known application id. */
const OUTLOOK_AUDIENCE = /outlook\.office(365)?\.com|00000002-0000-0ff1-ce00-000000000000/i;

/** The delegated permission each XOAUTH2 user of the configuration needs from Outlook. */
function neededPermissions(config: Config, roles: readonly string[]): string[] {
  const needed: string[] = [];
  if (roles.includes('poller') && config.mailboxSource === 'imap' && config.imap.auth === 'oauth2')
    needed.push('IMAP.AccessAsUser.All');
  if (roles.includes('sender') && config.mailTransport === 'smtp' && config.smtp.auth === 'oauth2')
    needed.push('SMTP.Send');
  return needed;
}

function refusal(error: unknown): CheckProblem {
  if (!(error instanceof OAuth2GrantError)) {
    return new CheckProblem(error instanceof Error ? error.message : String(error));
  }
  const code = `${error.providerCode}${error.aadsts ? ` AADSTS${error.aadsts}` : ''}`;
  switch (error.providerCode) {
    case 'no_refresh_token':
      return new CheckProblem(
        'no refresh token: none stored in Redis and RC_OAUTH2_REFRESH_TOKEN is unset',
        'run `pnpm rc oauth2 login` once (it stores the token encrypted for every replica)',
      );
    case 'network_error':
      return new CheckProblem(
        `the token endpoint cannot be reached (${error.message})`,
        'check RC_OAUTH2_TOKEN_URL, and RC_TLS_CA_FILE if it sits behind a private CA',
      );
    default:
      return new CheckProblem(
        `the token endpoint refused the refresh: ${code}`,
        entraFix({ error: error.providerCode, aadsts: error.aadsts }),
      );
  }
}

/**
 * One refresh through the very token manager the services use: the token comes from the same
 * sealed store and a rotated refresh token is stored back for them. Then the delegated scopes
 * in the access token, where the provider issues JWTs (Microsoft does).
 */
export function oauth2Check(resources: DoctorResources, roles: readonly string[]): DoctorCheck {
  const { config } = resources;
  return {
    name: 'oauth2',
    needs: ['redis'],
    hangFix: 'check RC_OAUTH2_TOKEN_URL: a firewall may drop the connection',
    async run(): Promise<Finding> {
      const oauth2 = config.oauth2!;
      const token = await resources
        .tokens()
        .getAccessToken()
        .catch((error: unknown) => {
          throw refusal(error);
        });
      const claims = jwtClaims(token);
      const audience = typeof claims?.aud === 'string' ? claims.aud : '';
      if (!claims || !OUTLOOK_AUDIENCE.test(audience)) {
        return { status: 'ok', detail: `token refreshed for client ${oauth2.clientId}` };
      }
      const granted = grantedPermissions(claims);
      const missing = neededPermissions(config, roles).filter((p) => !granted.includes(p));
      if (missing.length > 0) {
        const configured = oauth2.scope.split(/\s+/).map(permissionName);
        const notAsked = missing.filter((p) => !configured.includes(p));
        throw new CheckProblem(
          `the access token lacks ${missing.join(' and ')} (it holds ${granted.join(' ') || 'no scope'})`,
          notAsked.length > 0
            ? `add ${notAsked.map((p) => `https://outlook.office.com/${p}`).join(' ')} to RC_OAUTH2_SCOPE, then sign in again (pnpm rc oauth2 login)`
            : `grant the delegated permission ${missing.join(' and ')} to the app (with consent), then sign in again (pnpm rc oauth2 login)`,
        );
      }
      const held = granted.filter((p) => p !== 'offline_access').join(' ');
      return {
        status: 'ok',
        detail: `token refreshed for client ${oauth2.clientId}; it holds ${held}`,
      };
    },
  };
}

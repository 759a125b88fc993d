import {
  createGraphClient,
  createGraphTokenSource,
  graphPath,
  GraphRequestError,
  type GraphTokenSource,
} from '@rc/microsoft';
import type { GraphSettings } from '@rc/runtime';
import { CheckProblem, type DoctorCheck, type Finding } from './check';
import { grantedPermissions, jwtClaims } from './jwt-claims';
import type { DoctorResources } from './resources';

/** "Graph app token refused: invalid_client AADSTS7000215: <fix>" → the code, and the fix. */
function tokenProblem(error: unknown, graph: GraphSettings): CheckProblem {
  const message = error instanceof Error ? error.message : String(error);
  const refused = /refused: (\S+(?: AADSTS\d+)?): (.+)$/.exec(message);
  if (refused) {
    return new CheckProblem(
      `Entra ID refused the app token for client ${graph.clientId}: ${refused[1]}`,
      refused[2],
    );
  }
  if (/unreachable/.test(message)) {
    return new CheckProblem(
      `Entra ID cannot be reached at ${graph.authorityHost}`,
      'check RC_GRAPH_AUTHORITY_HOST (national clouds have their own), and RC_TLS_CA_FILE behind a TLS-inspecting proxy',
    );
  }
  return new CheckProblem(message);
}

function mailboxProblem(error: unknown, graph: GraphSettings, what: string): CheckProblem {
  if (!(error instanceof GraphRequestError)) {
    return new CheckProblem(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const code = `${error.status ?? 'no answer'}${error.graphCode ? ` ${error.graphCode}` : ''}`;
  if (error.status === 404 || error.graphCode === 'ErrorInvalidUser') {
    return new CheckProblem(
      `${what}: Graph answered ${code}`,
      what.startsWith('RC_GRAPH_FOLDER')
        ? 'use a well-known folder name (inbox) or a folder id (GET /users/{user}/mailFolders lists them)'
        : 'set RC_GRAPH_USER to the address of an Exchange Online mailbox',
    );
  }
  if (error.status === 403) {
    return new CheckProblem(
      `${what}: Graph answered ${code}`,
      `the app may not open ${graph.user}: an application access policy or RBAC management scope must include the mailbox`,
    );
  }
  return new CheckProblem(`${what}: ${error.message}`);
}

/** The application permissions this configuration's Graph users need. */
function neededRoles(resources: DoctorResources, roles: readonly string[]): string[] {
  const { config } = resources;
  const needed: string[] = [];
  if (roles.includes('poller') && config.mailboxSource === 'graph') needed.push('Mail.ReadWrite');
  if (roles.includes('sender') && config.mailTransport === 'graph') needed.push('Mail.Send');
  return needed;
}

/** RC_GRAPH_*: the app token and its permissions, then the mailbox and the folder read. */
export function graphChecks(resources: DoctorResources, roles: readonly string[]): DoctorCheck[] {
  const { config } = resources;
  const graph = config.graph!;
  const hangFix = 'check RC_GRAPH_AUTHORITY_HOST and RC_GRAPH_BASE_URL: a proxy may hold the call';
  let tokens: GraphTokenSource | undefined;
  const tokenSource = () =>
    (tokens ??= createGraphTokenSource(graph, { tlsCaFile: config.tlsCaFile }));
  return [
    {
      name: 'graph token',
      hangFix,
      async run(): Promise<Finding> {
        const token = await tokenSource()
          .getToken()
          .catch((error: unknown) => {
            throw tokenProblem(error, graph);
          });
        const claims = jwtClaims(token);
        const granted = claims ? grantedPermissions(claims) : [];
        const missing = neededRoles(resources, roles).filter((role) => !granted.includes(role));
        if (claims && missing.length > 0) {
          throw new CheckProblem(
            `the app token lacks the application permission ${missing.join(' and ')} (it holds ${granted.join(' ') || 'none'})`,
            `add Microsoft Graph application permission ${missing.join(' and ')} to the app registration and grant admin consent`,
          );
        }
        return {
          status: 'ok',
          detail: `app token for client ${graph.clientId}${granted.length ? ` with ${granted.join(' ')}` : ''}`,
        };
      },
    },
    {
      name: 'graph mailbox',
      needs: ['graph token'],
      hangFix,
      async run(): Promise<Finding[]> {
        const client = createGraphClient({
          baseUrl: graph.baseUrl,
          mailbox: graph.user,
          tokens: tokenSource(),
          tlsCaFile: config.tlsCaFile,
          maxAttempts: 1,
          timeoutMs: 10_000,
        });
        const inbox = `${graphPath`/users/${graph.user}/mailFolders/inbox`}?$select=id`;
        await client.getJson(inbox).catch((error: unknown) => {
          throw mailboxProblem(error, graph, `the mailbox ${graph.user}`);
        });
        const lines: Finding[] = [{ status: 'ok', detail: `the mailbox ${graph.user} opens` }];
        if (config.mailboxSource === 'graph' && roles.includes('poller')) {
          const folder = `${graphPath`/users/${graph.user}/mailFolders/${graph.folder}`}?$select=id,displayName,totalItemCount`;
          const found = await client
            .getJson<{ displayName?: string; totalItemCount?: number }>(folder)
            .then(
              (body): Finding => ({
                status: 'ok',
                detail: `RC_GRAPH_FOLDER=${graph.folder} is "${body.displayName ?? graph.folder}" (${body.totalItemCount ?? 0} messages)`,
              }),
              (error: unknown): Finding => {
                const problem = mailboxProblem(error, graph, `RC_GRAPH_FOLDER=${graph.folder}`);
                return { status: 'fail', detail: problem.detail, fix: problem.fix };
              },
            );
          lines.push({ check: 'graph folder', ...found });
        }
        return lines;
      },
    },
  ];
}

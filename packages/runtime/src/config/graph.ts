import type { MailConfig } from './mail';
import type { ConfigReader } from './reader';
import { hasRole, type ServiceRole } from './roles';

/** Microsoft Graph: the mailbox read and/or the mail sent, with an app-only (client) login. */
export interface GraphSettings {
  tenantId: string;
  clientId: string;
  /** exactly one of clientSecret and certificatePem is set */
  clientSecret?: string;
  /** the PEM of RC_GRAPH_CLIENT_CERTIFICATE_FILE: a CERTIFICATE and a PRIVATE KEY block */
  certificatePem?: string;
  certificateFile?: string;
  user: string;
  folder: string;
  baseUrl: string;
  authorityHost: string;
  notificationUrl?: string;
}

export interface GraphConfig {
  graph?: GraphSettings;
}

const UUID_EXAMPLE = '00000000-0000-0000-0000-000000000000';

/** Which of this process's roles use Graph, as the variables that say so. */
function graphUsers(mail: MailConfig, roles: ServiceRole[]): string[] {
  const users: string[] = [];
  if (hasRole(roles, 'poller') && mail.mailboxSource === 'graph')
    users.push('RC_MAILBOX_SOURCE=graph');
  if (hasRole(roles, 'sender') && mail.mailTransport === 'graph')
    users.push('RC_MAIL_TRANSPORT=graph');
  return users;
}

export function readGraphConfig(
  read: ConfigReader,
  roles: ServiceRole[],
  mail: MailConfig,
): GraphConfig {
  const users = graphUsers(mail, roles);
  // Set but unused (e.g. the verifier of a Graph deployment) is still checked: a typo is found
  // at the first start, not when the poller is switched over.
  if (users.length === 0 && read.string('RC_GRAPH_TENANT_ID') === undefined) return {};
  const why = users.length > 0 ? `with ${users.join(' and ')}` : 'with RC_GRAPH_TENANT_ID';
  const tenantId = read.required('RC_GRAPH_TENANT_ID', 'contoso.onmicrosoft.com', why);
  const clientId = read.required('RC_GRAPH_CLIENT_ID', UUID_EXAMPLE, why);
  const credential = readCredential(read, why);
  return {
    graph: {
      tenantId,
      clientId,
      ...credential,
      user: read.string('RC_GRAPH_USER') ?? mail.mailboxAddress,
      folder: read.string('RC_GRAPH_FOLDER', 'inbox') ?? 'inbox',
      baseUrl: httpsUrl(read, 'RC_GRAPH_BASE_URL', 'https://graph.microsoft.com/v1.0'),
      authorityHost: httpsUrl(read, 'RC_GRAPH_AUTHORITY_HOST', 'https://login.microsoftonline.com'),
      notificationUrl: read.url(
        'RC_GRAPH_NOTIFICATION_URL',
        ['https:'],
        'https://rc.corp.example/v1/graph/notifications',
        false,
      ),
    },
  };
}

/** An https URL without trailing slashes (paths are appended), or its default. */
function httpsUrl(read: ConfigReader, name: string, fallback: string): string {
  const value = read.url(name, ['https:'], fallback, false) ?? fallback;
  return value.replace(/\/+$/, '');
}

type Credential = Pick<GraphSettings, 'clientSecret' | 'certificatePem' | 'certificateFile'>;

/** Exactly one of a client secret and a certificate (Entra ID accepts either for an app). */
function readCredential(read: ConfigReader, why: string): Credential {
  const clientSecret = read.string('RC_GRAPH_CLIENT_SECRET');
  const certificateFile = read.string('RC_GRAPH_CLIENT_CERTIFICATE_FILE');
  if (clientSecret !== undefined && certificateFile !== undefined) {
    read.problem(
      'RC_GRAPH_CLIENT_SECRET',
      'set either RC_GRAPH_CLIENT_SECRET or RC_GRAPH_CLIENT_CERTIFICATE_FILE, not both',
      '/run/secrets/graph-app.pem alone',
      'RC_GRAPH_CLIENT_CERTIFICATE_FILE',
    );
    return {};
  }
  if (clientSecret !== undefined) return { clientSecret };
  if (certificateFile === undefined) {
    read.problem(
      'RC_GRAPH_CLIENT_SECRET',
      `is required ${why} unless RC_GRAPH_CLIENT_CERTIFICATE_FILE is set`,
      '/run/secrets/graph-secret',
      'RC_GRAPH_CLIENT_SECRET_FILE',
    );
    return {};
  }
  const example = '/run/secrets/graph-app.pem';
  const pem = read.file('RC_GRAPH_CLIENT_CERTIFICATE_FILE', certificateFile, example);
  if (pem === undefined) return {};
  const missing = [
    ...(pem.includes('-----BEGIN CERTIFICATE-----') ? [] : ['CERTIFICATE']),
    ...(/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(pem) ? [] : ['PRIVATE KEY']),
  ];
  if (pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
    read.problem(
      'RC_GRAPH_CLIENT_CERTIFICATE_FILE',
      `${certificateFile} holds an encrypted private key; export it without a passphrase (openssl pkcs12 -in app.pfx -nodes)`,
      example,
    );
  } else if (missing.length > 0) {
    read.problem(
      'RC_GRAPH_CLIENT_CERTIFICATE_FILE',
      `${certificateFile} lacks a ${missing.join(' block and a ')} block (it needs the certificate registered with the app and its private key)`,
      example,
    );
  }
  return { certificatePem: pem, certificateFile };
}

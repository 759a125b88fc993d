/**
 * Every RC_* variable some part of the product reads, with or without a `_FILE` twin. Only the
 * config file is checked against it (typo protection: RC_WEBHOK_URL in a YAML file would
 * otherwise be silently ignored); the environment is not, as it holds many other things. A test
 * finds every RC_ name the sources read and fails until it is listed here.
 */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set([
  // core, HTTP and API
  'RC_REDIS_URL',
  'RC_QUEUE_PREFIX',
  'RC_RETRY_ATTEMPTS',
  'RC_RETRY_BASE_DELAY',
  'RC_LOG_LEVEL',
  'RC_MAIL_DEBUG',
  'RC_TLS_CA_FILE',
  'RC_SHUTDOWN_TIMEOUT',
  'RC_HTTP_PORT',
  'RC_API_TOKEN',
  'RC_ADMIN_PASSWORD',
  'RC_INBOUND_LOG_MAX_ENTRIES',
  'RC_INBOUND_LOG_MAX_AGE',
  'RC_ENCRYPTION_KEY',
  // mail in and out
  'RC_MAILBOX_SOURCE',
  'RC_MAILBOX_ADDRESS',
  'RC_MAIL_FROM',
  'RC_MAIL_TRANSPORT',
  'RC_SMTP_HOST',
  'RC_SMTP_PORT',
  'RC_SMTP_SECURITY',
  'RC_SMTP_USER',
  'RC_SMTP_PASSWORD',
  'RC_SMTP_AUTH',
  'RC_IMAP_HOST',
  'RC_IMAP_PORT',
  'RC_IMAP_SECURITY',
  'RC_IMAP_USER',
  'RC_IMAP_PASSWORD',
  'RC_IMAP_FOLDER',
  'RC_IMAP_CHECK_INTERVAL',
  'RC_IMAP_AUTH',
  'RC_OAUTH2_TOKEN_URL',
  'RC_OAUTH2_CLIENT_ID',
  'RC_OAUTH2_CLIENT_SECRET',
  'RC_OAUTH2_REFRESH_TOKEN',
  'RC_OAUTH2_SCOPE',
  'RC_GRAPH_TENANT_ID',
  'RC_GRAPH_CLIENT_ID',
  'RC_GRAPH_CLIENT_SECRET',
  'RC_GRAPH_CLIENT_CERTIFICATE_FILE',
  'RC_GRAPH_USER',
  'RC_GRAPH_FOLDER',
  'RC_GRAPH_BASE_URL',
  'RC_GRAPH_AUTHORITY_HOST',
  'RC_GRAPH_NOTIFICATION_URL',
  // the poller
  'RC_FETCH_ENABLED',
  'RC_STARTUP_DELAY',
  'RC_SYNC_INTERVAL',
  'RC_BATCH_SIZE',
  'RC_AFTER_PROCESSING',
  'RC_MAX_MESSAGE_BYTES',
  // trust and verification
  'RC_SIGNING_KEYS',
  'RC_WHITELIST_ENABLED',
  'RC_WHITELIST_DOMAINS',
  'RC_REQUEST_TTL',
  'RC_REQUIRE_DMARC',
  'RC_TRUSTED_AUTHSERV_ID',
  'RC_VERIFY_DKIM',
  'RC_SENDER_RATE_LIMIT',
  'RC_VERIFY_RATE_LIMIT',
  'RC_SEND_RATE_LIMIT',
  'RC_REJECTION_NOTICES',
  'RC_CONFIRMATION_NOTICES',
  'RC_COMPLETE_WORDS',
  'RC_FAIL_WORDS',
  // engines (the task-updater's config section)
  'RC_ENGINE',
  'RC_WEBHOOK_URL',
  'RC_WEBHOOK_SECRET',
  'RC_WEBHOOK_TIMEOUT',
  'RC_RELEASE_URL',
  'RC_RELEASE_USER',
  'RC_RELEASE_PASSWORD',
  'RC_RELEASE_TOKEN',
  'RC_RELEASE_TIMEOUT',
]);

/** A known variable, or the `NAME_FILE` twin of one (a secret read from a file). */
export function isKnownVariable(name: string): boolean {
  return (
    KNOWN_VARIABLES.has(name) || (name.endsWith('_FILE') && KNOWN_VARIABLES.has(name.slice(0, -5)))
  );
}

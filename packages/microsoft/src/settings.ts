/** The shapes @rc/runtime's config produces; plain objects so this package does not wait on it. */
export interface GraphSettings {
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  /** PEM holding the app's certificate and its private key. */
  certificatePem?: string;
  user: string;
  folder: string;
  /** e.g. https://graph.microsoft.com/v1.0 (national clouds: https://graph.microsoft.us/v1.0) */
  baseUrl: string;
  /** e.g. https://login.microsoftonline.com */
  authorityHost: string;
  notificationUrl?: string;
}

export interface OAuth2Settings {
  tokenUrl: string;
  clientId: string;
  clientSecret?: string;
  refreshToken?: string;
  scope: string;
}

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

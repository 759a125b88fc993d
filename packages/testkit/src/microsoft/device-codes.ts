import { randomBytes } from 'node:crypto';
import { base64Url } from './http-util';

interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scopes: string[];
  expiresAtMs: number;
  state: 'pending' | 'approved' | 'denied' | 'redeemed';
  user?: string;
}

export type DeviceCodePoll =
  | { state: 'approved'; user: string; scopes: string[] }
  | { state: 'pending' | 'denied' | 'expired' | 'unknown' };

export interface PendingDeviceCode {
  userCode: string;
  clientId: string;
  scopes: string[];
}

/**
 * The device authorization grant (RFC 8628) as Entra runs it: the user approves on another
 * device; here a test calls approve()/deny() instead of signing in.
 */
export class DeviceCodeStore {
  intervalSeconds = 5;
  expiresInSeconds = 900;
  private readonly byDeviceCode = new Map<string, DeviceAuthorization>();

  start(clientId: string, scopes: string[]): { deviceCode: string; userCode: string } {
    // Eight letters without look-alikes, as Entra's user codes read.
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
    const userCode = Array.from(randomBytes(8), (b) => alphabet[b % alphabet.length]).join('');
    const deviceCode = `rc-dc.${base64Url(randomBytes(48))}`;
    this.byDeviceCode.set(deviceCode, {
      deviceCode,
      userCode,
      clientId,
      scopes,
      expiresAtMs: Date.now() + this.expiresInSeconds * 1000,
      state: 'pending',
    });
    return { deviceCode, userCode };
  }

  pending(): PendingDeviceCode[] {
    return [...this.byDeviceCode.values()]
      .filter((a) => a.state === 'pending' && a.expiresAtMs > Date.now())
      .map(({ userCode, clientId, scopes }) => ({ userCode, clientId, scopes }));
  }

  /** Approves the code the user typed in; without a code, the latest pending one. */
  approve(user: string, userCode?: string): void {
    const authorization = this.find(userCode);
    authorization.state = 'approved';
    authorization.user = user;
  }

  deny(userCode?: string): void {
    this.find(userCode).state = 'denied';
  }

  poll(deviceCode: string, clientId: string): DeviceCodePoll {
    const authorization = this.byDeviceCode.get(deviceCode);
    if (!authorization || authorization.clientId !== clientId) return { state: 'unknown' };
    if (authorization.state === 'redeemed') return { state: 'unknown' };
    if (authorization.state === 'denied') return { state: 'denied' };
    if (authorization.expiresAtMs <= Date.now()) return { state: 'expired' };
    if (authorization.state === 'pending') return { state: 'pending' };
    // A device code is good for one token response only.
    authorization.state = 'redeemed';
    return { state: 'approved', user: authorization.user ?? '', scopes: authorization.scopes };
  }

  private find(userCode: string | undefined): DeviceAuthorization {
    const candidates = [...this.byDeviceCode.values()].filter(
      (a) => a.state === 'pending' && (userCode === undefined || a.userCode === userCode),
    );
    const found = candidates.at(-1);
    if (!found) throw new Error(`no pending device code${userCode ? ` ${userCode}` : ''}`);
    return found;
  }
}

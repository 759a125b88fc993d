import { randomUUID } from 'node:crypto';
import { startMicrosoftFake, type MicrosoftFake } from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceCodeUrlFor, runDeviceCodeFlow, type DeviceCodePrompt } from '../src/device-code';

const SCOPE = 'https://outlook.office.com/IMAP.AccessAsUser.All offline_access';
let ms: MicrosoftFake;

beforeAll(async () => {
  ms = await startMicrosoftFake({ deviceCodeIntervalSeconds: 0.05 });
});
afterAll(() => ms?.close());

function login(onPrompt: (prompt: DeviceCodePrompt) => void) {
  const clientId = randomUUID();
  ms.registerApp({ clientId });
  return runDeviceCodeFlow({
    oauth2: { tokenUrl: ms.tokenUrl, clientId, scope: SCOPE },
    tlsCaFile: ms.caFile,
    onPrompt,
  });
}

describe('device-code login', () => {
  it('derives the device-code URL from the token URL', () => {
    expect(deviceCodeUrlFor('https://login.microsoftonline.us/t1/oauth2/v2.0/token')).toBe(
      'https://login.microsoftonline.us/t1/oauth2/v2.0/devicecode',
    );
    expect(() => deviceCodeUrlFor('https://idp.example/oauth/authorize')).toThrow(/explicitly/);
  });

  it('prompts, polls while authorization is pending, and returns the tokens once approved', async () => {
    let prompt: DeviceCodePrompt | undefined;
    const tokens = login((p) => {
      prompt = p;
      // The user types the code a few polls later.
      setTimeout(() => ms.deviceCodes.approve('ops@contoso.test', p.userCode), 200);
    });
    const result = await tokens;
    expect(prompt?.verificationUri).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(prompt?.message).toContain(prompt!.userCode);
    expect(result.refreshToken.length).toBeGreaterThan(20);
    expect(result.accessToken.length).toBeGreaterThan(20);
    expect(ms.stats.tokensIssued.device_code).toBeGreaterThanOrEqual(1);
  });

  it('a declined sign-in ends with AUTH_FAILED', async () => {
    const result = login((p) => setTimeout(() => ms.deviceCodes.deny(p.userCode), 100));
    await expect(result).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: expect.stringMatching(/declined/),
    });
  });
});

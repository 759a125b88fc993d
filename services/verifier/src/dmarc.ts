import type { ParsedMessage } from '@rc/mail';

/**
 * RFC 8601: an Authentication-Results header is only as trustworthy as the host that added
 * it. Anyone can put one in a message they send, so only headers whose authserv-id is our own
 * receiving MTA count, and of those the topmost (the last one added, by our MTA).
 */
export function dmarcPassed(message: ParsedMessage, trustedAuthservId: string): boolean {
  const trusted = trustedAuthservId.toLowerCase();
  for (const value of message.headers.get('authentication-results') ?? []) {
    const unfolded = value.replace(/\s+/g, ' ').replace(/\([^)]*\)/g, '').trim();
    const authservId = unfolded.split(';', 1)[0]?.trim().split(/\s+/, 1)[0]?.toLowerCase();
    if (authservId !== trusted) continue;
    return /(?:^|;)\s*dmarc\s*=\s*pass\b/i.test(unfolded);
  }
  return false;
}

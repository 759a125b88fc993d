import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const ADMIN_USER = 'admin';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * HTTP Basic (RFC 7617) for everything under /admin/: user `admin`, RC_ADMIN_PASSWORD.
 * "user:password" is compared as one digest, so the check takes the same time whichever part
 * is wrong and however long the guess is.
 */
export function requireAdminLogin(password: string) {
  const expected = digest(`${ADMIN_USER}:${password}`);
  return (req: Request, res: Response, next: NextFunction) => {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
    const given = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    if (timingSafeEqual(digest(given), expected)) {
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', 'Basic realm="remote-completion admin", charset="UTF-8"');
    res.setHeader('Cache-Control', 'no-store');
    res.status(401).type('text/plain').send('The admin pages need the admin login.\n');
  };
}

/**
 * A browser sends Basic credentials with every request to the site, including ones another
 * site's page triggers, so a write (Bull Board's retry, clean, pause…) must come from our own
 * pages. Fetch Metadata says where a request came from; Origin is the fallback for older
 * browsers. Clients that send neither (curl, scripts) are not browsers and cannot be tricked.
 */
export function refuseCrossSiteWrites(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD') {
    next();
    return;
  }
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  let foreign = site !== undefined && site !== 'same-origin';
  if (site === undefined && origin !== undefined) {
    try {
      foreign = new URL(origin).host !== req.headers.host;
    } catch {
      foreign = true;
    }
  }
  if (foreign) {
    res.status(403).type('text/plain').send('Cross-site requests may not change anything here.\n');
    return;
  }
  next();
}

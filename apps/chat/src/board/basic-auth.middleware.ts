import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { BoardCredentials } from './board-credentials';
import type { BoardSettings } from './board-settings';
import { FailedLogins } from './failed-logins';

const REALM = 'Bull Board';

// Digests have one length, so the comparison takes the same time whatever was sent.
const digest = (s: string) => createHash('sha256').update(s).digest();

/** HTTP basic auth in front of Bull Board (its pages and its JSON API), with a failed-login limit per client address. */
export function basicAuth(credentials: Pick<BoardCredentials, 'user' | 'password'>, settings: Pick<BoardSettings, 'maxFailedLogins' | 'loginWindowMs'>) {
  const expected = digest(`${credentials.user}:${credentials.password}`);
  const failures = new FailedLogins(settings.maxFailedLogins, settings.loginWindowMs);
  return (req: Request, res: Response, next: NextFunction): void => {
    const address = req.socket.remoteAddress ?? 'unknown';
    const wait = failures.blockedFor(address);
    if (wait > 0) {
      res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      res.status(429).json({ error: 'too_many_requests', message: `too many failed Bull Board logins from this address; retry in ${Math.ceil(wait / 1000)} s` });
      return;
    }
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const given = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    if (match && timingSafeEqual(digest(given), expected)) {
      failures.succeeded(address);
      return next();
    }
    // A request with no credentials is the browser asking for the challenge, not a guess.
    if (match) failures.failed(address);
    res.setHeader('WWW-Authenticate', `Basic realm="${REALM}", charset="UTF-8"`);
    res.status(401).json({ error: 'unauthorized', message: 'Bull Board needs BULL_BOARD_USER / BULL_BOARD_PASSWORD (basic auth)' });
  };
}

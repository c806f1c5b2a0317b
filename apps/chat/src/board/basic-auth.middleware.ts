import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { BoardCredentials } from './board-credentials';

const REALM = 'Bull Board';

// Digests have one length, so the comparison takes the same time whatever was sent.
const digest = (s: string) => createHash('sha256').update(s).digest();

/** HTTP basic auth in front of Bull Board (its pages and its JSON API). */
export function basicAuth(credentials: Pick<BoardCredentials, 'user' | 'password'>) {
  const expected = digest(`${credentials.user}:${credentials.password}`);
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const given = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    if (match && timingSafeEqual(digest(given), expected)) return next();
    res.setHeader('WWW-Authenticate', `Basic realm="${REALM}", charset="UTF-8"`);
    res.status(401).json({ error: 'unauthorized', message: 'Bull Board needs BULL_BOARD_USER / BULL_BOARD_PASSWORD (basic auth)' });
  };
}

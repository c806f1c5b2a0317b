import type { NextFunction, Request, Response } from 'express';

/**
 * With the board read-only, its JSON API answers only reads: any other method is refused here
 * with 403, before bull-board sees it — on top of bull-board's own per-queue readOnlyMode (405),
 * which some of its routes (pause-all, resume-all) merely skip.
 */
export function readOnlyBoard(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  res.status(403).json({ error: 'read_only', message: 'Bull Board is read-only (BULL_BOARD_READ_ONLY=false allows its actions; see docs/security.md)' });
}

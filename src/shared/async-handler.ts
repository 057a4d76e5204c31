import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Express 4 (and ltijs routes) do not catch rejected promises: forward them to next(). */
export function asyncHandler(fn: (req: Request, res: Response, next: NextFunction) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    fn(req, res, next).catch(next);
  };
}

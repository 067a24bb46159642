import { fail } from '@aisle/shared';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger';

/**
 * The one error handler: a JSON envelope with a stable code, never a stack trace. Steps aside when
 * headers are already sent (a streamed response), as Express requires.
 */
export function errorMiddleware(logger: Logger) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const e = err as { status?: number; statusCode?: number; type?: string };
    const status = e.status ?? e.statusCode ?? 500;
    if (e.type === 'entity.too.large') {
      res.status(413).json(fail('bad-request', 'The request body is too large.'));
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json(fail('bad-request', 'The request body is not valid JSON.'));
      return;
    }
    if (status >= 400 && status < 500) {
      res.status(status).json(fail('bad-request', 'The request could not be understood.'));
      return;
    }
    logger.error({ err }, 'request failed');
    res.status(500).json(fail('internal', 'Something went wrong on the server.'));
  };
}

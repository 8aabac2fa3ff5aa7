/**
 * Error answers of the REST API: always `{ error: { code, message, details? } }` (SPEC §8), never
 * express's default HTML page.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { ErrorBody } from '../protocol/index.js';

/** A refusal a route decides on: thrown or passed to `next`, answered by `errorHandler`. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, options: { details?: unknown; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export function sendError(res: Response, status: number, body: ErrorBody, headers: Readonly<Record<string, string>> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(status).json({ error: body });
}

export function sendHttpError(res: Response, err: HttpError): void {
  const body: ErrorBody = err.details === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, details: err.details };
  sendError(res, err.status, body, err.headers);
}

/** What body-parser and express report, as our own refusals. */
export function fromFrameworkError(err: unknown, maxBodyBytes: number): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (typeof err !== 'object' || err === null) return undefined;
  const type = 'type' in err ? err.type : undefined;
  switch (type) {
    case 'entity.too.large':
      return new HttpError(413, 'too_large', `the body exceeds ${maxBodyBytes} bytes`);
    case 'entity.parse.failed':
      return new HttpError(400, 'invalid_json', `the body is not valid JSON: ${err instanceof Error ? err.message : 'parse error'}`);
    case 'encoding.unsupported':
      return new HttpError(415, 'unsupported_media_type', 'unsupported Content-Encoding: send identity, gzip, deflate or br');
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_media_type', 'unsupported charset: send JSON as UTF-8');
    case 'request.aborted':
      return new HttpError(400, 'aborted', 'the request was aborted before its body was read');
    default:
      break;
  }
  // A malformed percent-encoding in the path.
  if (err instanceof URIError) return new HttpError(400, 'bad_request', 'the request path is not validly percent-encoded');
  const status = 'status' in err && typeof err.status === 'number' ? err.status : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    return new HttpError(status, 'bad_request', err instanceof Error ? err.message : 'bad request');
  }
  return undefined;
}

export interface ErrorLogger {
  error(obj: object, msg: string): void;
}

/** The last handler: known refusals as they are, anything else as a logged 500 with no detail. */
export function errorHandler(logger: ErrorLogger, maxBodyBytes: number): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const known = fromFrameworkError(err, maxBodyBytes);
    if (known !== undefined) {
      sendHttpError(res, known);
      return;
    }
    logger.error({ err, method: req.method, path: req.path }, 'request failed');
    sendError(res, 500, { code: 'internal', message: 'internal error: see the hub log' });
  };
}

export const notFound: RequestHandler = (req, res) => {
  sendError(res, 404, { code: 'not_found', message: `no route ${req.method} ${req.path}` });
};

/** For a known path asked with a method it does not serve. */
export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  return (req, res) => {
    sendError(
      res,
      405,
      { code: 'method_not_allowed', message: `${req.method} is not allowed on ${req.path}: use ${allowed.join(', ')}` },
      { Allow: allowed.join(', ') },
    );
  };
}

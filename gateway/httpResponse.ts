/**
 * Writing a JSON answer on uWS after an await: skipped when the client went
 * away (onAborted fired), corked so status, headers and body leave in one
 * write.
 */
import type { HttpResponse } from '@trufflesuite/uws-js-unofficial';
import { ERROR_CODES, type ErrorBody } from '../protocol/index.js';
import { gatewayRejections } from '../platform/index.js';

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK', 202: '202 Accepted', 400: '400 Bad Request', 401: '401 Unauthorized', 402: '402 Payment Required', 403: '403 Forbidden', 404: '404 Not Found',
  405: '405 Method Not Allowed', 408: '408 Request Timeout', 409: '409 Conflict', 413: '413 Payload Too Large', 429: '429 Too Many Requests',
  500: '500 Internal Server Error', 502: '502 Bad Gateway', 503: '503 Service Unavailable',
};

/** `closeConnection`: close the TCP connection after the answer (the rest of a body will never be read). */
export function respondJson(res: HttpResponse, aborted: () => boolean, status: number, body: unknown, headers: Record<string, string> = {}, closeConnection = false): void {
  if (aborted()) return;
  res.cork(() => {
    res.writeStatus(STATUS_TEXT[status] ?? `${status} Error`).writeHeader('Content-Type', 'application/json');
    for (const [name, value] of Object.entries(headers)) res.writeHeader(name, value);
    res.end(JSON.stringify(body), closeConnection);
  });
}

/** Answers at once (no await since the request arrived) with `{"error": …}` and the code's HTTP status from the error table. */
export function respondError(res: HttpResponse, error: ErrorBody, headers: Record<string, string> = {}): void {
  gatewayRejections.inc({ code: error.code });
  respondJson(res, () => false, ERROR_CODES[error.code].http, { error }, headers);
}

/** 405 METHOD_NOT_ALLOWED for a known path asked with another method; `allow` lists the methods it takes. */
export function respondMethodNotAllowed(res: HttpResponse, allow: string): void {
  respondError(res, { code: 'METHOD_NOT_ALLOWED', message: `This path takes only ${allow}.`, details: { allow } }, { Allow: allow });
}

/** 404 NOT_FOUND for a path the gateway does not serve. */
export function respondPathNotFound(res: HttpResponse): void {
  respondError(res, { code: 'NOT_FOUND', message: 'Nothing is served at this path; see protocol/README.md for the paths of the gateway.' });
}

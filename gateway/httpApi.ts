/**
 * The HTTP command API on the gateway's uWS app:
 *
 *   POST /v1/commands      Authorization: Bearer <JWT>, body = cmd fields
 *                          → 202 {id, status:"accepted"} after the JetStream ack
 *   GET  /v1/commands/:id  → 200 {id, status:"accepted"|"done", result?} | 404
 *
 * Same pipeline as WebSocket commands (CommandIntake): validation, rate
 * limit, de-duplication by user + id, trace context. Errors answer
 * `{error:{code,message,details?}}` with the HTTP status of the error table.
 *
 * uWS contracts: onAborted is registered before any await; everything
 * needed from `req` is copied out first; every late write is corked and
 * skipped when the request was aborted.
 */
import type { HttpRequest, HttpResponse, TemplatedApp } from '@trufflesuite/uws-js-unofficial';
import { Compile } from 'typebox/compile';
import {
  ERROR_CODES, HttpCommandRequest, SwitchyardError, epochMillis, toErrorBody,
  type ErrorBody, type HttpCommandAccepted,
} from '../protocol/index.js';
import { gatewayHttpRequests, gatewayRejections } from '../platform/index.js';
import type { Logger } from '../platform/index.js';
import type { CommandIntake } from './commandIntake.js';
import type { ConnectionsPerIp } from './connectionsPerIp.js';
import type { HttpCommandStatusStore } from './httpCommandStatus.js';
import { httpCommandSession } from './httpCommandStatus.js';
import { readBody, RequestAbortedError, trackAbort } from './httpBody.js';
import { respondJson, respondMethodNotAllowed } from './httpResponse.js';
import type { RateLimiter } from './rateLimiter.js';
import type { TokenVerifier } from './tokenVerifier.js';

const checkCommand = Compile(HttpCommandRequest);

export interface HttpApiDeps {
  verifier: TokenVerifier;
  intake: CommandIntake;
  statusStore: HttpCommandStatusStore;
  rateLimiter: RateLimiter;
  maxBodyBytes: number;
  /** SY_HTTP_BODY_TIMEOUT_MS. */
  bodyTimeoutMs: number;
  /** SY_MAX_CONNECTIONS_PER_IP, shared with the WebSocket endpoint. */
  perIp: ConnectionsPerIp;
  logger: Logger;
}

type Route = 'post_command' | 'get_command';

export class HttpApi {
  constructor(private readonly deps: HttpApiDeps) {}

  register(app: TemplatedApp): void {
    app.post('/v1/commands', (res, req) => this.postCommand(res, req));
    app.get('/v1/commands/:id', (res, req) => this.getCommand(res, req));
    // uWS prefers a method's own route to `any` on the same pattern: these answer only the other methods.
    app.any('/v1/commands', (res) => respondMethodNotAllowed(res, 'POST'));
    app.any('/v1/commands/:id', (res) => respondMethodNotAllowed(res, 'GET'));
  }

  private postCommand(res: HttpResponse, req: HttpRequest): void {
    const receivedAt = epochMillis();
    const ip = this.deps.perIp.admitHttp(res);
    if (ip === undefined) return;
    const abort = trackAbort(res);
    const authorization = req.getHeader('authorization');
    void (async () => {
      try {
        const body = await readBody(res, this.deps.maxBodyBytes, abort, this.deps.bodyTimeoutMs);
        const user = await this.authenticate(authorization);
        let cmd: unknown;
        try {
          cmd = JSON.parse(body.toString('utf8'));
        } catch {
          throw new SwitchyardError('BAD_FRAME', 'The body is not valid JSON.');
        }
        if (!checkCommand.Check(cmd)) {
          const first = checkCommand.Errors(cmd)[0];
          throw new SwitchyardError('VALIDATION', `Invalid command${first?.instancePath ? ` at ${first.instancePath}` : ''}: ${first?.message ?? 'does not match the schema'}.`,
            first?.instancePath ? { details: { path: first.instancePath } } : undefined);
        }
        await this.deps.rateLimiter.seed(user);
        await this.deps.intake.submit(cmd, { user, session: httpCommandSession(user, cmd.id), receivedAt });
        await this.deps.statusStore.markAccepted(user, cmd.id).catch((err: unknown) => {
          // The command is durable: say so. Only GET before the result exists is affected (404 instead of "accepted").
          this.deps.logger.warn({ err }, 'HTTP command accepted but its marker could not be written');
        });
        const accepted: HttpCommandAccepted = { id: cmd.id, status: 'accepted' };
        this.respond(res, abort.aborted, 'post_command', 202, accepted);
      } catch (err) {
        this.fail(res, abort.aborted, 'post_command', err);
      }
    })().finally(() => this.deps.perIp.close(ip));
  }

  private getCommand(res: HttpResponse, req: HttpRequest): void {
    const ip = this.deps.perIp.admitHttp(res);
    if (ip === undefined) return;
    const abort = trackAbort(res);
    const authorization = req.getHeader('authorization');
    const id = decodeURIComponent(req.getParameter(0));
    void (async () => {
      try {
        const user = await this.authenticate(authorization);
        const status = await this.deps.statusStore.status(user, id).catch((err: unknown) => {
          throw new SwitchyardError('UNAVAILABLE', 'The command status cannot be read right now; try again.', { cause: err });
        });
        if (!status) throw new SwitchyardError('NOT_FOUND', `No command ${JSON.stringify(id)} of yours was accepted over HTTP within the retention window.`);
        this.respond(res, abort.aborted, 'get_command', 200, status);
      } catch (err) {
        this.fail(res, abort.aborted, 'get_command', err);
      }
    })().finally(() => this.deps.perIp.close(ip));
  }

  private async authenticate(authorization: string): Promise<string> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw new SwitchyardError('AUTH_REQUIRED', 'Send the token as "Authorization: Bearer <JWT>".');
    return (await this.deps.verifier.verify(match[1]!)).user;
  }

  private fail(res: HttpResponse, aborted: () => boolean, route: Route, err: unknown): void {
    if (err instanceof RequestAbortedError) return;
    const error: ErrorBody = toErrorBody(err);
    if (error.code === 'INTERNAL') this.deps.logger.error({ err, route }, 'HTTP request failed');
    gatewayRejections.inc({ code: error.code });
    const headers: Record<string, string> = {};
    const retryAfterMs = error.details?.retryAfterMs;
    if (typeof retryAfterMs === 'number') headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
    // A body cut off by its timeout is still arriving: answer, then close the connection.
    this.respond(res, aborted, route, ERROR_CODES[error.code].http, { error }, headers, error.code === 'REQUEST_TIMEOUT');
  }

  private respond(res: HttpResponse, aborted: () => boolean, route: Route, status: number, body: unknown, headers: Record<string, string> = {}, closeConnection = false): void {
    gatewayHttpRequests.inc({ route, status: String(status) });
    respondJson(res, aborted, status, body, headers, closeConnection);
  }
}

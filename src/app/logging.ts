/**
 * JSON logs (pino) with a request id.
 *
 * Every HTTP request gets an id: the caller's `X-Request-Id` header when it is a sane token (a
 * load balancer or ingress usually sets one), else a fresh UUID. The id is sent back in the
 * response's `X-Request-Id` header and is kept in an AsyncLocalStorage for the life of the
 * request, so every log line written while handling it, by the adapters and the journeys too,
 * carries `reqId` (the logger's `mixin` reads it) without passing a logger around. Work that
 * outlives the HTTP answer (Slack's ack comes first, the journey after) stays in the same async
 * context and keeps the id.
 *
 *   {"level":30,"time":1795000000000,"service":"samla","reqId":"5b0c…","method":"POST","path":"/slack/events","status":200,"ms":4.1,"msg":"request"}
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';

export interface RequestContext {
  reqId: string;
}

/** The request being handled, if any (read by the logger's mixin). */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/** The id of the request being handled, or undefined outside a request. */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.reqId;
}

/** The header carrying the request id, in and out. */
export const REQUEST_ID_HEADER = 'x-request-id';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's id when it is a sane token (no spaces, no control characters, ≤ 128), else a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given && SANE_ID.test(given) ? given : randomUUID();
}

/**
 * Samla's logger: JSON lines on stdout (or `destination`), `service: "samla"`, and the request id
 * of the request being handled on every line written during it.
 */
export function createLogger(level: Level | 'silent' = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'samla' },
    mixin: () => {
      const ctx = requestContext.getStore();
      return ctx ? { reqId: ctx.reqId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Paths logged at debug level only (probes arrive every few seconds). */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Express middleware: assigns the request id (header in, header out), runs the rest of the
 * request inside its context, and logs one line when the response is finished.
 */
export function requestIds(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const reqId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, reqId);
    const started = performance.now();
    res.once('finish', () => {
      const line = { reqId, method: req.method, path: req.path, status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10 };
      if (QUIET_PATHS.has(req.path)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    });
    requestContext.run({ reqId }, () => next());
  };
}

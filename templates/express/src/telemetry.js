// Per-request telemetry: a request id, one access-log line and the request metrics for every
// request, 404s and errors included. Written for the hot path: one listener shared by all
// responses, no per-request closures or child loggers (measured: pino-http's two child loggers
// per request cost more CPU than the rest of a hello-world request).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { lineWriter } from './logger.js';
import { recordRequest } from './metrics.js';

// What a request id from a client or proxy may look like; anything else is replaced, so a
// client cannot inject a newline, a quote or a megabyte into the logs.
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
// nginx's status for a request whose client went away before the answer was sent.
const CLIENT_CLOSED = 499;
const STARTED = Symbol('started');
const LOGGER = Symbol('logger');

/** The request's X-Request-ID when it is well-formed, else a new uuid4 (its 36-character form). */
export function requestId(req) {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Returns `observe(req, res)`, for APP's first middleware to call on every request. Each request
 * gets an id (`req.id`, echoed in the X-Request-ID response header) and `req.log`, LOGGER bound
 * to that id (made on first use). When the response is done, it is counted and timed in the
 * metrics and logged as one line:
 * {"level":"info","time":"...","pid":1,"request_id":"...","method":"GET","path":"/","status":200,
 * "duration_ms":0.52,"msg":"request completed"}. Server errors log at `error` with the error
 * (errorHandler hands it over as `res.err`, stack included: the client never sees it).
 */
export function telemetry(app, logger) {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get() {
      this[LOGGER] ??= logger.child({ request_id: this.id });
      return this[LOGGER];
    },
  });

  const completed = lineWriter(logger, 'info', 'request completed');
  const aborted = lineWriter(logger, 'info', 'request aborted');
  const failed = lineWriter(logger, 'error', 'request failed');

  // 'close' comes after the response is sent, or when the client leaves first. `this` is the response.
  function done() {
    const req = this.req;
    const seconds = (performance.now() - req[STARTED]) / 1000;
    const status = this.writableFinished ? this.statusCode : CLIENT_CLOSED;
    const route = req.route ? req.baseUrl + req.route.path : 'unmatched'; // a pattern, never raw input
    recordRequest(req.method, route, status, seconds);

    const url = req.originalUrl;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query); // never the query string: it may hold tokens
    // The line's own fields, serialized once (see lineWriter).
    const members = `"request_id":${JSON.stringify(req.id)},"method":${JSON.stringify(req.method)},`
      + `"path":${JSON.stringify(path)},"status":${status},"duration_ms":${Math.round(seconds * 1e6) / 1000}`;
    if (this.err !== undefined) logger.error({ ...JSON.parse(`{${members}}`), err: this.err }, 'request failed');
    else if (status >= 500) failed(members);
    else if (status === CLIENT_CLOSED) aborted(members);
    else completed(members);
  }

  return (req, res) => {
    req[STARTED] = performance.now();
    req.id = requestId(req);
    res.setHeader('X-Request-ID', req.id);
    res.on('close', done); // emitted once per response: no once() wrapper needed
  };
}

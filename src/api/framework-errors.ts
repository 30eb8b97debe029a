/**
 * Framework errors as problems: what fastify and Node's HTTP parser refuse before any route
 * runs (a URL that does not decode, a path parameter longer than the router takes, a request the
 * HTTP parser cannot read, a header block too large, a client too slow) answered as RFC 7807
 * problems with a code from docs/errors.md, like every other failure. The errors fastify raises
 * while reading a body (size, media type, JSON) reach the server's error handler instead.
 */
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ID_MAX_LENGTH, PATH_PARAM_MAX_CHARS, RECORD_ID_MAX_LENGTH } from '../domain/bounds.js';
import { failure, type Failure } from '../domain/errors.js';
import { problemOf, PROBLEM_CONTENT_TYPE } from './problems.js';

const SEND_AS_DOCUMENTED = 'Send the request the OpenAPI document (/docs) describes.';

/** The problem for an error fastify's router raises (its `frameworkErrors` option). */
function routerFailure(err: FastifyError, req: FastifyRequest): { failure: Failure; status: number } {
  const path = req.url.split('?')[0] ?? '';
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      return { status: 400, failure: failure('INVALID_REQUEST', `The URL path "${path.slice(0, 200)}" is not valid percent-encoded UTF-8.`, 'Percent-encode every path parameter as UTF-8 (encodeURIComponent), so that "%" is always followed by two hex digits and the bytes decode.', { field: 'url' }) };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { status: 414, failure: failure('INVALID_REQUEST', `A path parameter of ${path.slice(0, 200)}… is longer than ${PATH_PARAM_MAX_CHARS} characters as sent.`, `Ids are at most ${RECORD_ID_MAX_LENGTH} characters (event ids at most ${ID_MAX_LENGTH}, docs/design.md "Bounds"); send the id as it was posted.`, { field: 'params' }) };
    default:
      return { status: 500, failure: failure('INTERNAL_ERROR', 'The server failed to route the request.', 'Retry the request; if it keeps failing, report it with the server log.', {}) };
  }
}

/** fastify's `frameworkErrors` option: router errors as problems. */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const { failure: f, status } = routerFailure(err, req);
  req.log.info({ code: f.code, status, err: err.code }, f.message);
  void reply.code(status).type(PROBLEM_CONTENT_TYPE).send(problemOf(f, status));
}

/** What Node's HTTP parser refused, as status and failure (nothing of the request was read). */
function clientFailure(err: NodeJS.ErrnoException): { failure: Failure; status: number } {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, failure: failure('INVALID_REQUEST', 'The request was not received in time.', 'Send the whole request promptly.', {}) };
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, failure: failure('INVALID_REQUEST', 'The request headers are larger than the server accepts.', 'Send smaller headers (an API key and a few standard headers are enough).', {}) };
  }
  return { status: 400, failure: failure('INVALID_REQUEST', `The request is not valid HTTP/1.1 (${err.code ?? 'unreadable'}).`, SEND_AS_DOCUMENTED, {}) };
}

/** fastify's `clientErrorHandler` option: answers on the raw socket, then closes it (as Node does). */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { failure: f, status } = clientFailure(err);
  const body = JSON.stringify(problemOf(f, status));
  const reason = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status] ?? 'Bad Request';
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

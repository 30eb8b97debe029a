/** What a route handler reads off an authenticated request (the auth hook in server.ts set it). */
import type { FastifyRequest } from 'fastify';
import type { Auth } from './server.js';

export function authOf(req: FastifyRequest): Auth {
  if (req.auth === null) throw new Error('assertion failed: an authenticated route runs after its auth hook');
  return req.auth;
}

export function companyOf(req: FastifyRequest): string {
  return authOf(req).company;
}

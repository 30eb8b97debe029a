/**
 * The identity side of the sandbox: access and refresh tokens as Xero's identity server issues
 * them. Tokens are opaque random strings (Xero's are JWTs, but clients must not read them).
 *
 * - An access token lasts `tokenTtlSeconds` Xero seconds (real time ÷ timeScale).
 * - Each refresh issues a new access token and a new refresh token; the refresh token used is
 *   spent at once (reuse → invalid_grant). Refresh tokens expire after 60 Xero days unused.
 * - Revoking (a user disconnecting the app) kills every token; only a new consent
 *   (`issueTokenSet()`) brings access back.
 */
import { randomBytes } from 'node:crypto';
import { tokenExpiryText } from './wire.js';

/** A type alias (not an interface) so it is assignable to openid-client's TokenSetParameters. */
export type TokenSet = {
  access_token: string;
  refresh_token: string;
  /** Seconds (real) until the access token expires, as the token endpoint says. */
  expires_in: number;
  /** Unix seconds (real) at which the access token expires (openid-client's TokenSet reads this). */
  expires_at: number;
  token_type: 'Bearer';
  scope: string;
};

export type AccessCheck = { ok: true } | { ok: false; detail: string };

export const SCOPE = 'openid profile email offline_access accounting.transactions accounting.contacts accounting.settings';

const REFRESH_TTL_XERO_MS = 60 * 86_400_000;

const token = (prefix: string): string => `${prefix}${randomBytes(24).toString('base64url')}`;

export class TokenStore {
  private readonly access = new Map<string, number>(); // token → expiry (real ms)
  private readonly refresh = new Map<string, number>(); // unspent token → expiry (real ms)

  constructor(
    private readonly ttlRealMs: number,
    private readonly timeScale: number,
    private readonly now: () => number,
  ) {}

  /** A fresh token pair, as after the user's consent. */
  issue(): TokenSet {
    const now = this.now();
    const access = token('sbx-at.');
    const refresh = token('sbx-rt.');
    const expiresAt = now + this.ttlRealMs;
    this.access.set(access, expiresAt);
    this.refresh.set(refresh, now + REFRESH_TTL_XERO_MS / this.timeScale);
    // Both figures round down so a client that trusts them never holds an expired token.
    return {
      access_token: access,
      refresh_token: refresh,
      expires_in: Math.floor(this.ttlRealMs / 1000),
      expires_at: Math.floor(expiresAt / 1000),
      token_type: 'Bearer',
      scope: SCOPE,
    };
  }

  /** Spends a refresh token for a new pair, or undefined (invalid_grant). */
  rotate(refreshToken: string): TokenSet | undefined {
    const expiry = this.refresh.get(refreshToken);
    if (expiry === undefined) return undefined;
    this.refresh.delete(refreshToken);
    return expiry > this.now() ? this.issue() : undefined;
  }

  check(accessToken: string | undefined): AccessCheck {
    const expiry = accessToken === undefined ? undefined : this.access.get(accessToken);
    if (expiry === undefined) return { ok: false, detail: 'AuthenticationUnsuccessful' };
    if (expiry <= this.now()) return { ok: false, detail: `TokenExpired: token expired at ${tokenExpiryText(expiry)}` };
    return { ok: true };
  }

  revokeAll(): void {
    this.access.clear();
    this.refresh.clear();
  }
}

/** The bearer token of an Authorization header, if it has one. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/** The client id and secret of an HTTP Basic Authorization header. */
export function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : { id: text.slice(0, colon), secret: text.slice(colon + 1) };
}

import type { Principal } from "../../runs/index.js";

/**
 * One API key the server accepts, stored as the hex SHA-256 of the key (see `hashApiKey`), never
 * the key itself, and the principal a request signs in as when it sends that key.
 */
export interface ApiKey {
  /** `hashApiKey(key)`: 64 hex characters. */
  sha256: string;
  principal: Principal;
}

/** Bearer API keys: `Authorization: Bearer <key>`. */
export interface ApiKeyAuth {
  apiKeys: readonly ApiKey[];
}

/**
 * Bearer JWTs, e.g. the access tokens of an OpenID Connect provider. Give exactly one of `secret`,
 * `publicKey` and `jwksUrl`. The token's `sub` is the principal's id.
 */
export interface JwtOptions {
  /** A shared HMAC secret (HS256/384/512), at least 32 characters. */
  secret?: string;
  /** A PEM public key ("-----BEGIN PUBLIC KEY-----", SPKI) whose private half signs the tokens. */
  publicKey?: string;
  /** The provider's JSON Web Key Set, e.g. "https://login.example.com/.well-known/jwks.json"; https unless on loopback. */
  jwksUrl?: string;
  /** The `iss` every token must carry. */
  issuer: string;
  /** The `aud` every token must carry (one of its entries when it is a list). */
  audience: string;
  /** The `alg`s accepted (default: every algorithm that fits the key). */
  algorithms?: readonly string[];
  /** The claim holding the principal's roles, an array of strings (default "roles"; "realm_access.roles" reads a nested one). */
  rolesClaim?: string;
  /** The claim holding a name a person reads (default "name"). */
  nameClaim?: string;
}

/** Bearer JWTs, verified with `jose` (an optional peer of kern: npm install jose). */
export interface JwtAuth {
  jwt: JwtOptions;
}

/**
 * Decides who sent a request, from its headers (a cookie, a header your proxy sets, ...); null
 * means nobody, and the server answers 401. It must not read the body: the route reads it.
 */
export type AuthFunction = (request: Request) => Principal | null | Promise<Principal | null>;

/** How `createServer({ auth })` knows who sent a request. */
export type ServerAuth = ApiKeyAuth | JwtAuth | AuthFunction;

/**
 * The Hono environment of kern's app: routes read the signed-in principal with `principalOf(c)`.
 *
 * @example
 * const routes = new Hono<ServerEnv>();
 * routes.get("/", (c) => c.json({ me: principalOf(c)?.id ?? null }));
 */
export type ServerEnv = {
  Variables: {
    /** Who sent the request; null when the server runs without `auth`. */
    principal: Principal | null;
    /** `createServer({ adminRole })`, or null when none is set. */
    adminRole: string | null;
  };
};

/** How `createServer()` guards the API; see the README section "Securing the server". */
export interface SecurityOptions {
  /**
   * Who may use the API: bearer API keys, bearer JWTs or a function of the request. With it,
   * every `/api` request but `GET /api/openapi.json` needs a principal (401 otherwise), which
   * routes read with `principalOf(c)`. Without it, anyone who can reach the server may start
   * runs and decide requirements (recorded as "code"), so `start()` listens on loopback only.
   *
   * @example
   * createServer({ workflows: [workflow], auth: { jwt: {
   *   jwksUrl: "https://login.example.com/.well-known/jwks.json",
   *   issuer: "https://login.example.com/", audience: "kern-inbox" } } });
   */
  auth?: ServerAuth;
  /**
   * Lets `start()` listen on a network address without `auth` (and without `allowedHosts`, any
   * Host is then accepted): only for a server behind a proxy that authenticates every request.
   */
  insecure?: boolean;
  /**
   * The host names clients reach the server by, e.g. ["kern.example.com"] (any port) or
   * ["kern.example.com:8443"]; other Host headers get 403 KERN_FORBIDDEN_HOST. Default: loopback
   * names only (localhost, 127.0.0.1, [::1]); required to listen on a network address.
   */
  allowedHosts?: readonly string[];
  /**
   * Web origins besides the server's own whose pages may send POST, PUT, PATCH and DELETE, e.g.
   * ["https://console.example.com"]; other Origin headers get 403 KERN_FORBIDDEN_ORIGIN.
   */
  allowedOrigins?: readonly string[];
  /** The largest request body read, in bytes (default 1 MiB); larger ones get 413 and nothing is stored. */
  bodyLimitBytes?: number;
  /** The role that makes a principal an administrator where a route asks (`isAdmin(c)`); default: none. */
  adminRole?: string;
}

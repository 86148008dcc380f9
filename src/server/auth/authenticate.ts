import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { ConfigurationError } from "../../errors.js";
import type { Principal } from "../../runs/index.js";
import { errorResponse, NotAuthenticatedError } from "../http-errors.js";
import { apiKeyVerifier } from "./api-keys.js";
import type { AuthFunction, ServerAuth, ServerEnv } from "./auth-options.js";
import { jwtVerifier } from "./jwt.js";
import { isPrincipal } from "./principal-of.js";

type TokenVerifier = (token: string) => Principal | null | Promise<Principal | null>;

const CHALLENGE = 'Bearer realm="kern"';

/** A 401 with kern's JSON error body; bearerAuth adds its WWW-Authenticate header to it. */
function refusal(message: string): Response {
  const { status, body } = errorResponse(new NotAuthenticatedError(message));
  return Response.json(body, { status });
}

const INVALID_TOKEN =
  "The bearer token was not accepted: it is unknown, expired, or not meant for this server. Get a new one and try again.";

/** API keys and JWTs: Hono's bearer-auth parses the header; `verify` finds the principal. */
function bearer(verify: TokenVerifier, credentials: string): MiddlewareHandler<ServerEnv> {
  return bearerAuth<ServerEnv>({
    realm: "kern",
    verifyToken: async (token, c) => {
      const principal = await verify(token);
      if (principal === null) return false;
      c.set("principal", principal);
      return true;
    },
    noAuthenticationHeader: {
      message: () =>
        refusal(`This server needs you to sign in: send 'Authorization: Bearer <token>' with ${credentials}.`),
    },
    // RFC 6750 allows 400 here; 401 tells a client to fix its credentials rather than its request.
    invalidAuthenticationHeader: {
      message: () =>
        refusal(
          `The Authorization header is not 'Bearer <token>'; send ${credentials} as 'Authorization: Bearer <token>'.`,
        ),
      wwwAuthenticateHeader: `${CHALLENGE}, error="invalid_request"`,
    },
    invalidToken: {
      message: () => refusal(INVALID_TOKEN),
      wwwAuthenticateHeader: `${CHALLENGE}, error="invalid_token"`,
    },
  });
}

/** `auth` as a function of the request: null (or undefined) is nobody; a malformed answer is a server bug (500). */
function byFunction(auth: AuthFunction): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const principal: unknown = await auth(c.req.raw);
    if (principal === null || principal === undefined) {
      const response = refusal("This server needs you to sign in; send the credentials its operator set up.");
      response.headers.set("WWW-Authenticate", CHALLENGE);
      return response;
    }
    if (!isPrincipal(principal))
      throw new TypeError(
        "createServer() auth function returned neither null nor a principal with a non-empty string id.",
      );
    c.set("principal", principal);
    await next();
  };
}

function tokenMiddleware(auth: Exclude<ServerAuth, AuthFunction>): MiddlewareHandler<ServerEnv> {
  if ("apiKeys" in auth && Array.isArray(auth.apiKeys)) return bearer(apiKeyVerifier(auth.apiKeys), "an API key");
  if ("jwt" in auth && typeof auth.jwt === "object" && auth.jwt !== null)
    return bearer(jwtVerifier(auth.jwt), "a JWT from your identity provider");
  throw new ConfigurationError(
    "createServer() auth must be { apiKeys: [...] }, { jwt: { ... } } or a function (request) => principal | null.",
  );
}

/** `GET /api/openapi.json` stays public: it describes the API and holds no data. */
function isPublic(c: Context): boolean {
  return (c.req.method === "GET" || c.req.method === "HEAD") && c.req.path === "/api/openapi.json";
}

/**
 * The sign-in middleware for `/api/*`: sets the principal on the context (read it with
 * `principalOf(c)`) or answers 401 with a `WWW-Authenticate` challenge. Checks `auth` now, so a
 * mistake is a ConfigurationError from createServer(), before anything listens.
 */
export function authentication(auth: ServerAuth): MiddlewareHandler<ServerEnv> {
  const check = typeof auth === "function" ? byFunction(auth) : tokenMiddleware(auth);
  return async (c, next) => (isPublic(c) ? next() : check(c, next));
}

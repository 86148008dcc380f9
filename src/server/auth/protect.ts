import type { Hono, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import { ConfigurationError } from "../../errors.js";
import { payloadTooLarge } from "../http-errors.js";
import type { SecurityOptions, ServerEnv } from "./auth-options.js";
import { authentication } from "./authenticate.js";
import { hostAllowList, hostCheck } from "./host-check.js";
import { isLoopbackHostname } from "./loopback.js";
import { originCheck } from "./origin-check.js";

const MEBIBYTE = 1024 * 1024;

/** `POST /api/decisions/:token`: applying a signed decision link. */
function isLinkUse(method: string, path: string): boolean {
  return method === "POST" && /^\/api\/decisions\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(path);
}

/** What guards a server's app, and the check `start()` makes before listening. */
export interface Protection {
  /** Adds the guards to `app`; call it before any route. */
  install(app: Hono<ServerEnv>): void;
  /**
   * Throws ConfigurationError when listening on `hostname` would put an open API on the network;
   * call it before anything else `start()` does.
   */
  checkListen(hostname: string, log: (line: string) => void): void;
}

function checkedBodyLimit(bytes: number | undefined): number {
  if (bytes === undefined) return MEBIBYTE;
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new ConfigurationError(
      `createServer() bodyLimitBytes must be a whole number of bytes, 1 or more (default ${MEBIBYTE}); got ${String(bytes)}.`,
    );
  return bytes;
}

function checkedAdminRole(role: string | undefined): string | null {
  if (role === undefined) return null;
  if (typeof role !== "string" || role === "")
    throw new ConfigurationError('createServer() adminRole must be a non-empty role name, e.g. "kern-admin".');
  return role;
}

/** Cache-Control: no-store, so no browser or proxy cache keeps the API's answers (runs, decisions). */
const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set("Cache-Control", "no-store");
};

/**
 * Checks the security options (throwing ConfigurationError) and returns the guards, in the order a
 * request meets them: security headers on every answer, the Host allow-list, the Origin check,
 * sign-in for `/api`, then the body limit, so the route never sees an oversized body.
 */
export function protection(options: SecurityOptions, signedElsewhere: readonly string[] = []): Protection {
  const hosts = hostAllowList(options.allowedHosts);
  const origins = originCheck(options.allowedOrigins);
  const signIn = options.auth === undefined ? undefined : authentication(options.auth);
  const maxSize = checkedBodyLimit(options.bodyLimitBytes);
  const adminRole = checkedAdminRole(options.adminRole);
  const insecure = options.insecure === true;

  return {
    install(app) {
      // HSTS is left to whatever terminates TLS: this server speaks plain HTTP.
      app.use(secureHeaders({ strictTransportSecurity: false }));
      app.use("/api/*", noStore);
      app.use(hostCheck(hosts));
      app.use(origins);
      app.use(async (c, next) => {
        c.set("principal", null);
        c.set("adminRole", adminRole);
        await next();
      });
      // A signed decision link is its own credential: using one needs no sign-in (but one sent is checked).
      // So are the POST endpoints in `signedElsewhere` (Slack's interactions), which check their own signature.
      if (signIn !== undefined)
        app.use("/api/*", (c, next) =>
          (isLinkUse(c.req.method, c.req.path) && c.req.header("authorization") === undefined) ||
          (c.req.method === "POST" && signedElsewhere.includes(c.req.path))
            ? next()
            : signIn(c, next),
        );
      app.use(
        bodyLimit({
          maxSize,
          onError: () => {
            throw payloadTooLarge(maxSize);
          },
        }),
      );
    },
    checkListen(hostname, log) {
      const loopback = isLoopbackHostname(hostname);
      const where = `start({ hostname: ${JSON.stringify(hostname)} })`;
      if (!loopback && !insecure && signIn === undefined)
        throw new ConfigurationError(
          `${where} would let anyone who can reach this machine start runs and approve tool calls: the server has no auth. Pass createServer({ auth }) (API keys, JWTs or a function), or createServer({ insecure: true }) if a proxy in front of it authenticates every request; or listen on "127.0.0.1".`,
        );
      if (!loopback && !insecure && !hosts.configured)
        throw new ConfigurationError(
          `${where} needs createServer({ allowedHosts }), the host names clients reach this server by (e.g. ["kern.example.com"]); without them it would answer only requests sent to localhost.`,
        );
      if (!loopback && insecure && signIn === undefined)
        log(
          `kern/server: listening on ${hostname} without auth (insecure: true); whatever stands in front of this server must authenticate every request.`,
        );
      hosts.bind(loopback, insecure);
    },
  };
}

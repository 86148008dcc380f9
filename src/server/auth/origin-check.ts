import type { MiddlewareHandler } from "hono";
import { ConfigurationError } from "../../errors.js";
import { forbiddenOrigin } from "../http-errors.js";
import { requestHost } from "./host-check.js";

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

function checkedOrigins(allowedOrigins: readonly string[] | undefined): Set<string> {
  return new Set(
    (allowedOrigins ?? []).map((entry, index) => {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {
        url = undefined;
      }
      if (
        url === undefined ||
        (url.protocol !== "https:" && url.protocol !== "http:") ||
        url.origin !== entry.replace(/\/$/, "")
      )
        throw new ConfigurationError(
          `createServer() allowedOrigins[${index}] is not a web origin; give scheme, host and port only, e.g. "https://console.example.com".`,
        );
      return url.origin;
    }),
  );
}

/**
 * Refuses, with 403 KERN_FORBIDDEN_ORIGIN, a state-changing request (POST, PUT, PATCH, DELETE) a
 * browser sent from a page of another origin: its Origin header names neither this server's host
 * nor an entry of `allowedOrigins`. Requests without Origin (curl, SDKs, servers) pass; they still
 * need `auth`. The scheme is not compared, so a server behind a TLS proxy accepts its own pages.
 */
export function originCheck(allowedOrigins: readonly string[] | undefined): MiddlewareHandler {
  const allowed = checkedOrigins(allowedOrigins);
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (origin !== undefined && !SAFE_METHODS.has(c.req.method)) {
      let url: URL | undefined;
      try {
        url = new URL(origin);
      } catch {
        // "null" (a sandboxed frame, a file:// page) and garbage are no origin of ours.
        url = undefined;
      }
      if (url === undefined || (url.host !== requestHost(c) && !allowed.has(url.origin))) throw forbiddenOrigin();
    }
    await next();
  };
}

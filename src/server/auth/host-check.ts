import type { Context, MiddlewareHandler } from "hono";
import { ConfigurationError } from "../../errors.js";
import { forbiddenHost } from "../http-errors.js";
import { isLoopbackHostname } from "./loopback.js";

/** The host a request was sent to, as its Host header names it (lower case, with the port if any). */
export function requestHost(c: Context): string {
  return (c.req.header("host") ?? new URL(c.req.url).host).toLowerCase();
}

/** "kern.example.com:8443" → name and port; "[::1]:3000" keeps the brackets; null when malformed. */
function splitHost(host: string): { name: string; port: string | null } | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:/[\]@\s]+)(?::(\d{1,5}))?$/i.exec(host.toLowerCase());
  if (match === null || match[1] === undefined) return null;
  return { name: match[1], port: match[2] ?? null };
}

/** The host names a server answers to. */
export interface HostAllowList {
  /** True when `allowedHosts` was given. */
  readonly configured: boolean;
  /** True when the server answers a request whose Host header is `host`. */
  allows(host: string): boolean;
  /**
   * Called by `start()` with the address it listens on. Without `allowedHosts`, a server on
   * loopback then answers loopback names only; an `insecure` one on the network answers any name.
   */
  bind(loopback: boolean, insecure: boolean): void;
}

/**
 * `allowedHosts` entries are names ("kern.example.com", any port) or names with a port
 * ("kern.example.com:8443", that port only); they are checked on every request. Without them, a
 * server started on loopback answers only loopback names (localhost, 127.0.0.0/8, [::1]), so a
 * web page on another site that points its own name at 127.0.0.1 (DNS rebinding) cannot reach
 * the API. An app that was not started (`app.fetch` in tests, or mounted in another server) is
 * not checked until it is given `allowedHosts`: where it listens is then its host's business.
 */
export function hostAllowList(allowedHosts: readonly string[] | undefined): HostAllowList {
  const entries = (allowedHosts ?? []).map((entry, index) => {
    const parsed = typeof entry === "string" ? splitHost(entry.trim()) : null;
    if (parsed === null)
      throw new ConfigurationError(
        `createServer() allowedHosts[${index}] is not a host name; give names as clients type them, e.g. "kern.example.com" or "kern.example.com:8443", not URLs.`,
      );
    return parsed;
  });
  let mode: "list" | "unbound" | "loopback" | "any" = allowedHosts === undefined ? "unbound" : "list";
  return {
    configured: allowedHosts !== undefined,
    allows(host) {
      if (mode === "unbound" || mode === "any") return true;
      const parsed = splitHost(host);
      if (parsed === null) return false;
      if (mode === "loopback") return isLoopbackHostname(parsed.name);
      return entries.some((entry) => entry.name === parsed.name && (entry.port === null || entry.port === parsed.port));
    },
    bind(loopback, insecure) {
      if (mode === "list") return;
      mode = loopback ? "loopback" : insecure ? "any" : "loopback";
    },
  };
}

/** Refuses, with 403 KERN_FORBIDDEN_HOST, requests sent to a host name the server does not answer to. */
export function hostCheck(hosts: HostAllowList): MiddlewareHandler {
  return async (c, next) => {
    if (!hosts.allows(requestHost(c))) throw forbiddenHost();
    await next();
  };
}

import { createPublicKey, type KeyObject } from "node:crypto";
import { ConfigurationError } from "../../errors.js";
import { requirePeers } from "../../optional-peers.js";
import type { Principal } from "../../runs/index.js";
import type { JwtOptions } from "./auth-options.js";
import { principalFromClaims } from "./jwt-claims.js";
import { isLoopbackHostname } from "./loopback.js";

type Jose = typeof import("jose");
type Verify = (token: string) => Promise<{ payload: Readonly<Record<string, unknown>> }>;
type KeySource =
  | { kind: "secret"; key: Uint8Array }
  | { kind: "publicKey"; key: KeyObject }
  | { kind: "jwks"; url: URL };

const WHERE = "createServer() auth.jwt";

function nonEmpty(value: unknown, name: string, example: string): string {
  if (typeof value !== "string" || value.trim() === "")
    throw new ConfigurationError(`${WHERE}.${name} is required, e.g. ${example}; every token must carry it.`);
  return value;
}

function keySource(options: JwtOptions): KeySource {
  const given = (["secret", "publicKey", "jwksUrl"] as const).filter((name) => options[name] !== undefined);
  if (given.length !== 1)
    throw new ConfigurationError(
      `${WHERE} needs exactly one of secret, publicKey and jwksUrl (the key that checks token signatures); got ${given.length === 0 ? "none" : given.join(" and ")}.`,
    );
  if (options.secret !== undefined) {
    if (Buffer.byteLength(options.secret, "utf8") < 32)
      throw new ConfigurationError(
        `${WHERE}.secret is shorter than 32 bytes, short enough to guess; use a random secret of 32 bytes or more.`,
      );
    return { kind: "secret", key: new TextEncoder().encode(options.secret) };
  }
  if (options.publicKey !== undefined) {
    try {
      return { kind: "publicKey", key: createPublicKey({ key: options.publicKey, format: "pem" }) };
    } catch {
      throw new ConfigurationError(
        `${WHERE}.publicKey is not a PEM public key; pass the text that starts with '-----BEGIN PUBLIC KEY-----'.`,
      );
    }
  }
  return { kind: "jwks", url: jwksUrl(String(options.jwksUrl)) };
}

function jwksUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigurationError(
      `${WHERE}.jwksUrl is not a URL; pass the provider's key set URL, e.g. "https://login.example.com/.well-known/jwks.json".`,
    );
  }
  const loopback = isLoopbackHostname(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
    throw new ConfigurationError(
      `${WHERE}.jwksUrl must use https (plain http only on this machine): whoever can change the keys in transit could sign in as anyone.`,
    );
  return url;
}

/**
 * Server-side failures of a remote key set (the provider timed out, answered with an error or a
 * malformed set): the server cannot tell whether the token is good, so it answers 500 and logs
 * the cause, rather than telling the client its token is bad.
 */
function isKeySetFailure(error: unknown, jose: Jose): boolean {
  if (!(error instanceof jose.errors.JOSEError)) return true;
  return (
    error instanceof jose.errors.JWKSTimeout ||
    error instanceof jose.errors.JWKSInvalid ||
    error.code === "ERR_JOSE_GENERIC"
  );
}

/**
 * Checks the options now (throwing ConfigurationError, also when `jose` is not installed) and
 * returns the function that verifies a bearer token: its principal, or null when the token is
 * not good (bad signature, expired, another issuer or audience, no `sub`). `jose` is imported on
 * the first request, so a server without JWT auth never loads it.
 */
export function jwtVerifier(options: JwtOptions): (token: string) => Promise<Principal | null> {
  const source = keySource(options);
  const verifyOptions = {
    issuer: nonEmpty(options.issuer, "issuer", '"https://login.example.com/"'),
    audience: nonEmpty(options.audience, "audience", '"kern-inbox"'),
    ...(options.algorithms === undefined ? {} : { algorithms: [...options.algorithms] }),
  };
  const rolesClaim = options.rolesClaim ?? "roles";
  const nameClaim = options.nameClaim ?? "name";
  requirePeers("kern/server JWT auth", ["jose"]);
  let loaded: Promise<{ jose: Jose; verify: Verify }> | undefined;
  const load = async (): Promise<{ jose: Jose; verify: Verify }> => {
    const jose = await import("jose");
    if (source.kind !== "jwks") return { jose, verify: (token) => jose.jwtVerify(token, source.key, verifyOptions) };
    // One key set per server: it caches the keys and refetches when a token names an unknown `kid`.
    const keySet = jose.createRemoteJWKSet(source.url);
    return { jose, verify: (token) => jose.jwtVerify(token, keySet, verifyOptions) };
  };
  return async (token) => {
    loaded ??= load();
    const { jose, verify } = await loaded;
    try {
      const { payload } = await verify(token);
      return principalFromClaims(payload, rolesClaim, nameClaim);
    } catch (error) {
      if (source.kind === "jwks" && isKeySetFailure(error, jose)) throw error;
      return null;
    }
  };
}

import { createHash, timingSafeEqual } from "node:crypto";
import { ConfigurationError } from "../../errors.js";
import type { Principal } from "../../runs/index.js";
import type { ApiKey } from "./auth-options.js";

/**
 * The hex SHA-256 of an API key: what `createServer({ auth: { apiKeys } })` stores instead of the
 * key, so a leaked config or log does not leak the key.
 *
 * @example
 * // node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"
 * const auth = { apiKeys: [{ sha256: hashApiKey(process.env.DEPLOY_BOT_KEY ?? ""), principal: { id: "deploy-bot" } }] };
 */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

function checkedKeys(keys: readonly ApiKey[]): Array<{ digest: Buffer; principal: Principal }> {
  if (keys.length === 0)
    throw new ConfigurationError(
      "createServer() auth.apiKeys is empty, so nobody could sign in; add { sha256: hashApiKey(key), principal: { id } } entries.",
    );
  const seen = new Set<string>();
  return keys.map(({ sha256, principal }, index) => {
    const where = `createServer() auth.apiKeys[${index}]`;
    if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/i.test(sha256))
      throw new ConfigurationError(
        `${where}.sha256 must be the hex SHA-256 of the key (64 hex characters), as hashApiKey(key) returns; never put the key itself in the config.`,
      );
    if (typeof principal?.id !== "string" || principal.id === "")
      throw new ConfigurationError(`${where}.principal needs an id, e.g. { id: "deploy-bot", roles: ["deployer"] }.`);
    const hex = sha256.toLowerCase();
    if (seen.has(hex))
      throw new ConfigurationError(`${where} repeats a key hash listed before it; list each key once.`);
    seen.add(hex);
    return { digest: Buffer.from(hex, "hex"), principal: { ...principal } };
  });
}

/**
 * Checks the keys now (throwing ConfigurationError) and returns the function that finds the
 * principal of a bearer token, or null. Every stored digest is compared, in constant time, so how
 * long an answer takes says nothing about which key came close.
 */
export function apiKeyVerifier(keys: readonly ApiKey[]): (token: string) => Principal | null {
  const entries = checkedKeys(keys);
  return (token) => {
    const digest = createHash("sha256").update(token, "utf8").digest();
    let found: Principal | null = null;
    for (const entry of entries) if (timingSafeEqual(digest, entry.digest)) found = entry.principal;
    return found === null ? null : { ...found };
  };
}

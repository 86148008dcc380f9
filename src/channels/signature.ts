import { createHmac, timingSafeEqual } from "node:crypto";

/** The header that carries a webhook's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = "Kern-Signature";

/** HMAC-SHA256 over `${timestamp}.${body}`, hex. */
function digest(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** The `Kern-Signature` header value for `body`, sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${digest(secret, timestamp, body)}`;
}

/**
 * Checks a webhook's `Kern-Signature` header against the raw body as received (before any JSON
 * parsing) and your secret: true only if a `v1` signature matches and its timestamp is within
 * `toleranceSeconds` of `now` (ms, default the clock), which stops replays of old requests.
 *
 * @example
 * import { verifyWebhookSignature } from "kern/channels";
 * const body = await request.text();
 * if (!verifyWebhookSignature(secret, request.headers.get("kern-signature"), body, 300)) return new Response(null, { status: 401 });
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  toleranceSeconds = 300,
  now: number = Date.now(),
): boolean {
  if (typeof header !== "string") return false;
  const parts = header.split(",").map((part) => part.trim().split("="));
  const timestamp = Number(parts.find(([name]) => name === "t")?.[1]);
  if (!Number.isSafeInteger(timestamp) || Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(digest(secret, timestamp, body), "hex");
  return parts.some(([name, value]) => {
    if (name !== "v1" || value === undefined || !/^[0-9a-f]{64}$/.test(value)) return false;
    return timingSafeEqual(Buffer.from(value, "hex"), expected);
  });
}

import { createHmac, timingSafeEqual } from "node:crypto";

/** What Slack sends with each request to your app (see "Verifying requests from Slack"). */
export interface SlackSignedRequest {
  /** The raw request body, exactly as received. */
  body: string;
  /** The `X-Slack-Request-Timestamp` header (seconds since epoch). */
  timestamp: string | undefined;
  /** The `X-Slack-Signature` header, `v0=<hex>`. */
  signature: string | undefined;
}

/**
 * Whether a request came from Slack: `v0=` HMAC-SHA256 of `v0:<timestamp>:<body>` under the app's
 * signing secret, compared in constant time, with a timestamp at most `toleranceSeconds` (default
 * 300) from now, so a captured request cannot be replayed later.
 *
 * @example
 * const ok = verifySlackSignature(process.env.SLACK_SIGNING_SECRET, {
 *   body: await request.text(),
 *   timestamp: request.headers.get("x-slack-request-timestamp") ?? undefined,
 *   signature: request.headers.get("x-slack-signature") ?? undefined,
 * });
 */
export function verifySlackSignature(
  signingSecret: string,
  request: SlackSignedRequest,
  toleranceSeconds = 300,
  nowMs: number = Date.now(),
): boolean {
  const { body, timestamp, signature } = request;
  if (timestamp === undefined || signature === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(
    `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

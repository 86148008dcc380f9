import { ConfigurationError } from "../errors.js";
import type { Channel, ChannelEvent, ChannelEventType } from "./channel.js";
import { SIGNATURE_HEADER, signWebhook } from "./signature.js";

/** A signed one-time decision link, added to pause events by `createServer({ decisionLinks })`. */
export interface EventLink {
  url: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** One webhook receiver. */
export interface WebhookOptions {
  /** http(s) URL the events are POSTed to. */
  url: string;
  /** Signs every request (HMAC-SHA256); 32 bytes or more, random, shared only with the receiver. */
  secret: string;
  /** The event types to send (default all). */
  events?: readonly ChannelEventType[];
  /** Its channel name, stored with each event it took (default the URL). Keep it when the URL changes. */
  name?: string;
  /** How long one request may take before it counts as failed (default 10 000 ms). */
  timeoutMs?: number;
  /** Adds `decisionLink` to pause events; null leaves it out. `createServer()` sets it. */
  decisionLink?: (event: ChannelEvent) => Promise<EventLink | null>;
}

/** The JSON body of a webhook request: the event, plus a decision link on pause events when configured. */
export interface WebhookPayload extends ChannelEvent {
  decisionLink: EventLink | null;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A channel that POSTs each event as JSON, signed in `Kern-Signature`, with the event's id in
 * `Idempotency-Key`. Any answer but 2xx (or no answer within `timeoutMs`) is retried.
 */
export function webhookChannel(options: WebhookOptions): Channel {
  const { url, secret, decisionLink } = checkWebhook(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    name: options.name ?? url,
    ...(options.events === undefined ? {} : { events: options.events }),
    async deliver(event) {
      const link = event.type === "requirement.paused" && decisionLink !== undefined ? await decisionLink(event) : null;
      const payload: WebhookPayload = { ...event, decisionLink: link };
      const body = JSON.stringify(payload);
      const response = await fetch(url, {
        method: "POST",
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          "content-type": "application/json",
          "user-agent": "kern-webhooks",
          "idempotency-key": event.id,
          "kern-event": event.type,
          "kern-delivery-attempt": String(event.attempt),
          [SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(Date.now() / 1000)),
        },
      });
      // The body is not read: a receiver's answer says nothing but whether it took the event.
      await response.body?.cancel();
      if (response.status < 200 || response.status > 299)
        throw new Error(`${url} answered HTTP ${response.status}; the event is sent again later.`);
    },
  };
}

function checkWebhook(options: WebhookOptions): WebhookOptions {
  let protocol: string | undefined;
  try {
    protocol = new URL(options.url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== "http:" && protocol !== "https:")
    throw new ConfigurationError(
      `A webhook needs an http(s) url, e.g. "https://example.com/kern"; got ${JSON.stringify(options.url)}.`,
    );
  if (typeof options.secret !== "string" || Buffer.byteLength(options.secret, "utf8") < 32)
    throw new ConfigurationError(
      `The webhook for ${options.url} needs a secret of 32 bytes or more, so its signatures cannot be forged; make one with ` +
        `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))".`,
    );
  const { timeoutMs } = options;
  if (timeoutMs !== undefined && (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1))
    throw new ConfigurationError(
      `The webhook for ${options.url} needs timeoutMs of 1 or more, got ${String(timeoutMs)}.`,
    );
  return options;
}

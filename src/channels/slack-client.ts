import { ConfigurationError } from "../errors.js";
import { requirePeers } from "../optional-peers.js";

/** What a Slack Web API call answers with; `ok: false` carries Slack's `error` code. */
export interface SlackAnswer {
  ok?: boolean;
  error?: string;
  ts?: string;
  channel?: string;
}

/** A Slack message: the fallback `text` (notifications, screen readers) and its Block Kit blocks. */
export interface SlackMessage {
  text: string;
  blocks: readonly Record<string, unknown>[];
}

/**
 * The three Web API methods kern calls. `@slack/web-api`'s `WebClient` is one; pass your own
 * (already configured) through `client`, or a `token` and kern makes one.
 */
export interface SlackClient {
  chat: {
    postMessage(args: SlackMessage & { channel: string }): Promise<SlackAnswer>;
    update(args: SlackMessage & { channel: string; ts: string }): Promise<SlackAnswer>;
    postEphemeral(args: { channel: string; user: string; text: string }): Promise<SlackAnswer>;
  };
}

/** How to reach Slack: a bot token (`xoxb-…`), or a client you made. */
export interface SlackConnection {
  /** A bot token with the `chat:write` scope; kern creates a `WebClient` from `@slack/web-api`. */
  token?: string;
  /** Instead of `token`: a client, e.g. `new WebClient(token, { retryConfig })`. */
  client?: SlackClient;
  /** The Web API's base URL (default `https://slack.com/api/`); tests point it at a local fake. */
  slackApiUrl?: string;
  /** Retries of a failed or rate-limited call inside the client (default 2); the outbox retries after that. */
  retries?: number;
}

/**
 * Checks the connection now (throwing ConfigurationError, also when `@slack/web-api` is missing)
 * and returns a function that yields the client, importing `@slack/web-api` on first use.
 */
export function slackClientOf(where: string, connection: SlackConnection): () => Promise<SlackClient> {
  const { token, client, slackApiUrl, retries = 2 } = connection;
  if (client !== undefined) {
    if (token !== undefined)
      throw new ConfigurationError(`${where} takes a Slack \`token\` or a \`client\`, not both.`);
    return () => Promise.resolve(client);
  }
  if (typeof token !== "string" || token.trim() === "")
    throw new ConfigurationError(
      `${where} needs a Slack bot token (\`token: process.env.SLACK_BOT_TOKEN\`, an xoxb-… token with chat:write) or a \`client\`.`,
    );
  if (!Number.isSafeInteger(retries) || retries < 0)
    throw new ConfigurationError(`${where} retries must be a whole number, 0 or more; got ${String(retries)}.`);
  requirePeers(where, ["@slack/web-api"]);
  let made: Promise<SlackClient> | undefined;
  return () =>
    (made ??= import("@slack/web-api").then(
      ({ WebClient }) =>
        new WebClient(token, { retryConfig: { retries }, ...(slackApiUrl === undefined ? {} : { slackApiUrl }) }),
    ));
}

/** Throws when Slack answered `ok: false` (the client throws for HTTP failures itself). */
export function slackOk(method: string, answer: SlackAnswer): SlackAnswer {
  if (answer.ok === false) throw new Error(`Slack ${method} answered ${answer.error ?? "not ok"}`);
  return answer;
}

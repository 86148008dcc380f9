import { createHmac } from "node:crypto";
import { createServer } from "node:http";

/** One Web API call the fake received: the method and its arguments (JSON-valued fields parsed). */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
}

export const BOT_TOKEN = "xoxb-kern-test";

/**
 * A loopback fake of Slack's Web API (`POST /api/<method>`, form-encoded, `Authorization: Bearer`),
 * answering as Slack does: `{ ok: true, ts, channel }`, or `{ ok: false, error }` for a wrong token
 * or a call told to fail. The official `WebClient` talks to it through `slackApiUrl`.
 */
export async function startSlackFake(): Promise<{
  url: string;
  calls: SlackCall[];
  failNext(method: string, error: string): void;
  waitFor(method: string, count: number): Promise<SlackCall[]>;
  close(): Promise<void>;
}> {
  const calls: SlackCall[] = [];
  const failures = new Map<string, string>();
  let ts = 1_700_000_000;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const method = (request.url ?? "").replace(/^\/api\//, "");
      const answer = (body: Record<string, unknown>): void => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
      };
      if (request.headers.authorization !== `Bearer ${BOT_TOKEN}`) return answer({ ok: false, error: "invalid_auth" });
      const args: Record<string, unknown> = {};
      for (const [key, value] of new URLSearchParams(Buffer.concat(chunks).toString("utf8")))
        args[key] = key === "blocks" ? JSON.parse(value) : value;
      calls.push({ method, args });
      const failure = failures.get(method);
      if (failure !== undefined) {
        failures.delete(method);
        return answer({ ok: false, error: failure });
      }
      ts += 1;
      answer({ ok: true, channel: args["channel"], ts: String(args["ts"] ?? `${ts}.000100`) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the Slack fake did not bind a TCP port");
  return {
    url: `http://127.0.0.1:${address.port}/api/`,
    calls,
    failNext: (method, error) => failures.set(method, error),
    async waitFor(method, count) {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const matching = calls.filter((call) => call.method === method);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) throw new Error(`Slack got ${matching.length} ${method} calls, not ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A button press as Slack posts it to the interaction endpoint: form-encoded `payload`, signed with the signing secret. */
export function signedPress(
  secret: string,
  press: { userId: string; action: "kern_approve" | "kern_reject"; message: SlackCall; ts?: string },
  timestamp: number = Math.floor(Date.now() / 1000),
): RequestInit {
  const blocks = press.message.args["blocks"] as Array<Record<string, unknown>>;
  const actions = blocks.find((block) => block["type"] === "actions");
  const elements = (actions?.["elements"] ?? []) as Array<Record<string, unknown>>;
  const button = elements.find((element) => element["action_id"] === press.action);
  const payload = {
    type: "block_actions",
    user: { id: press.userId, username: press.userId.toLowerCase(), name: press.userId.toLowerCase(), team_id: "T1" },
    team: { id: "T1", domain: "kern-test" },
    channel: { id: press.message.args["channel"], name: "approvals" },
    container: {
      type: "message",
      message_ts: press.ts ?? "1700000001.000100",
      channel_id: press.message.args["channel"],
    },
    message: { type: "message", ts: press.ts ?? "1700000001.000100", text: press.message.args["text"], blocks },
    actions: [
      { type: "button", block_id: "kern_actions", action_id: press.action, value: button?.["value"], action_ts: "1" },
    ],
    response_url: "http://127.0.0.1:9/unused",
    trigger_id: "1.2.3",
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
  return {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signature,
    },
    body,
  };
}

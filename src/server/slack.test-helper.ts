import { BOT_TOKEN, type SlackCall, type startSlackFake } from "../channels/slack-fake.test-helper.js";
import { createServer, type ServerOptions } from "./index.js";

export const SIGNING_SECRET = "slack-signing-secret-for-tests";
export const USERS = { U_ANN: { id: "ann", roles: ["sre"] }, U_BOB: { id: "bob", roles: ["dev"] } };
export type Fake = Awaited<ReturnType<typeof startSlackFake>>;

export async function serve(fake: Fake, options: ServerOptions) {
  const logged: string[] = [];
  const server = createServer({
    sweepIntervalMs: 0,
    log: (line) => logged.push(line),
    webhookDelivery: { intervalMs: 10, backoff: { initialMs: 20 } },
    slack: {
      token: BOT_TOKEN,
      slackApiUrl: fake.url,
      retries: 0,
      signingSecret: SIGNING_SECRET,
      channel: "C_APPROVALS",
      users: USERS,
    },
    ...options,
  });
  return { ...(await server.start({ port: 0 })), logged };
}

export const blocksOf = (call: SlackCall) => call.args["blocks"] as Array<Record<string, unknown>>;
export const textsOf = (call: SlackCall): string => JSON.stringify(blocksOf(call));

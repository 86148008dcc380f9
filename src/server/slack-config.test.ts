import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BOT_TOKEN } from "../channels/slack-fake.test-helper.js";
import { ConfigurationError } from "../errors.js";
import { Step, Workflow } from "../workflow/index.js";
import { createServer } from "./index.js";

const USERS = { U_ANN: { id: "ann", roles: ["sre"] } };

describe("createServer({ slack }) options", () => {
  it("refuses a Slack configuration it cannot use when the server is created", () => {
    const workflow = new Workflow({ name: "w", steps: [new Step({ name: "s", executor: () => "x" })] });
    const base = { token: BOT_TOKEN, signingSecret: "a-signing-secret", channel: "C1", users: USERS };
    for (const slack of [
      { ...base, signingSecret: "" },
      { ...base, channel: " " },
      { signingSecret: base.signingSecret, channel: base.channel, users: base.users },
      { ...base, client: { chat: { postMessage: fetchNever, update: fetchNever, postEphemeral: fetchNever } } },
      { ...base, users: null as unknown as typeof USERS },
    ])
      assert.throws(() => createServer({ workflows: [workflow], slack }), ConfigurationError);
  });
});

function fetchNever(): Promise<never> {
  return Promise.reject(new Error("not called"));
}

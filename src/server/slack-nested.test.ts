import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { signedPress, startSlackFake } from "../channels/slack-fake.test-helper.js";
import { InMemoryDb } from "../db/memory/index.js";
import { nestedApps } from "./nested.test-helper.js";
import { SIGNING_SECRET, serve, textsOf } from "./slack.test-helper.js";

describe("createServer({ slack }) with requirements of sub-agents", () => {
  it("posts a sub-agent's tool call naming the agents it came through, and its button decides it", async () => {
    const fake = await startSlackFake();
    const apps = nestedApps(new InMemoryDb());
    const { url, close } = await serve(fake, { agents: [apps.planner], workflows: [apps.workflow] });
    try {
      const agentRun = await apps.planner.run("Plan");
      const workflowRun = await apps.workflow.run("db down");
      const posts = await fake.waitFor("chat.postMessage", 2);
      const alert = posts.find((post) => textsOf(post).includes("Tool: send_alert"));
      const page = posts.find((post) => textsOf(post).includes("Tool: page_oncall"));
      assert.ok(alert !== undefined && page !== undefined, "one message per sub-agent call");
      assert.match(textsOf(alert), /Tool: send_alert · agent 'Planner', via Alerter/);
      assert.match(
        textsOf(page),
        /Tool: page_oncall · workflow 'Incident', step 'respond', agent 'Coordinator', via Notifier/,
      );

      const interactions = `${url}/api/slack/interactions`;
      await fetch(
        interactions,
        signedPress(SIGNING_SECRET, { userId: "U_ANN", action: "kern_approve", message: alert }),
      );
      await fetch(
        interactions,
        signedPress(SIGNING_SECRET, { userId: "U_ANN", action: "kern_approve", message: page }),
      );
      await fake.waitFor("chat.update", 2);
      assert.equal((await apps.planner.getRunOutput(agentRun.runId, agentRun.sessionId)).status, "completed");
      assert.equal((await apps.workflow.getRunOutput(workflowRun.runId, workflowRun.sessionId)).status, "completed");
      assert.deepEqual(apps.calls.sort(), ["page_oncall db", "send_alert Tokyo"]);
    } finally {
      await close();
      await fake.close();
    }
  });
});

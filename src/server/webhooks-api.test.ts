import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { verifyWebhookSignature, type WebhookPayload } from "../channels/index.js";
import { eventually, startReceiver } from "../channels/receiver.test-helper.js";
import { InMemoryDb } from "../db/memory/index.js";
import { ConfigurationError } from "../errors.js";
import { Step, Workflow } from "../workflow/index.js";
import { createServer } from "./index.js";
import { pingAgent } from "./server.test-helper.js";

const SECRET = "a-webhook-secret-of-32-bytes-or-more!";
const LINK_SECRET = "a-decision-link-secret-of-32-bytes-or-more!";

describe("createServer({ webhooks })", () => {
  it("sends a pause with a decision link that decides, then the decision, and stops with close()", async () => {
    const receiver = await startReceiver();
    const db = new InMemoryDb();
    const workflow = new Workflow({
      name: "deploys",
      db,
      steps: [new Step({ name: "deploy", executor: () => "deployed", requiresConfirmation: true, approvers: ["sre"] })],
    });
    const { url, close } = await createServer({
      workflows: [workflow],
      sweepIntervalMs: 0,
      log: () => {},
      decisionLinks: { secret: LINK_SECRET },
      webhooks: [{ url: receiver.url, secret: SECRET, linkApprover: { id: "sam", roles: ["sre"] } }],
      webhookDelivery: { intervalMs: 10, backoff: { initialMs: 20 } },
    }).start({ port: 0 });
    try {
      const started = await fetch(`${url}/api/workflows/deploys/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: "ship it" }),
      });
      assert.equal(started.status, 200);
      await receiver.waitFor(1);
      const pause = receiver.received[0];
      assert.ok(pause);
      assert.equal(verifyWebhookSignature(SECRET, String(pause.headers["kern-signature"]), pause.body, 60), true);
      const event = JSON.parse(pause.body) as WebhookPayload;
      assert.equal(event.type, "requirement.paused");
      assert.ok(event.decisionLink);
      const decided = await fetch(event.decisionLink.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ decision: { type: "confirm" } }),
      });
      assert.equal(decided.status, 200);
      await receiver.waitFor(2);
      const decision = JSON.parse(receiver.received[1]?.body ?? "{}") as WebhookPayload;
      assert.deepEqual(
        [decision.type, decision.requirementId, decision.data["actorId"]],
        ["requirement.decided", event.requirementId, "sam"],
      );
      assert.equal(typeof decision.data["linkId"], "string");
    } finally {
      await close();
    }
    // Closed: a later pause stays in the outbox for the next dispatcher.
    await workflow.run("again");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(receiver.received.length, 2);
    await eventually(async () => (await db.listOutbox({ undelivered: true })).length === 1);
    await receiver.close();
  });

  it("gives a step's paused tool call a link that decides that call", async () => {
    const receiver = await startReceiver();
    const db = new InMemoryDb();
    const { agent, pinged } = pingAgent(db);
    const workflow = new Workflow({ name: "checks", db, steps: [new Step({ name: "ping", agent })] });
    const { close } = await createServer({
      workflows: [workflow],
      sweepIntervalMs: 0,
      log: () => {},
      decisionLinks: { secret: LINK_SECRET },
      webhooks: [{ url: receiver.url, secret: SECRET, linkApprover: { id: "sam", roles: ["sre"] } }],
      webhookDelivery: { intervalMs: 10, backoff: { initialMs: 20 } },
    }).start({ port: 0 });
    try {
      const paused = await workflow.run("ping db-1");
      await receiver.waitFor(1);
      const event = JSON.parse(receiver.received[0]?.body ?? "{}") as WebhookPayload;
      assert.equal(event.type, "requirement.paused");
      assert.ok(event.decisionLink, "an executor pause with one tool call carries a link");
      const decided = await fetch(event.decisionLink.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ decision: { type: "confirm" } }),
      });
      assert.equal(decided.status, 200);
      assert.deepEqual(pinged, ["db-1"]);
      assert.equal((await workflow.getRunOutput(paused.runId, paused.sessionId)).status, "completed");
    } finally {
      await close();
      await receiver.close();
    }
  });

  it("refuses a webhook without a long secret when the server is created", () => {
    const workflow = new Workflow({ name: "w", steps: [new Step({ name: "s", executor: () => "x" })] });
    assert.throws(
      () => createServer({ workflows: [workflow], webhooks: [{ url: "http://127.0.0.1:1/", secret: "short" }] }),
      ConfigurationError,
    );
  });
});

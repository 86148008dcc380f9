import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { signedPress, startSlackFake } from "../channels/slack-fake.test-helper.js";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step, Workflow } from "../workflow/index.js";
import { hashApiKey } from "./index.js";
import { blocksOf, type Fake, SIGNING_SECRET, serve, textsOf } from "./slack.test-helper.js";

function pinger(db: InMemoryDb) {
  const pinged: string[] = [];
  const ping = tool({
    name: "ping",
    description: "Pings a host.",
    parameters: z.object({ host: z.string() }),
    requiresConfirmation: true,
    approvers: ["sre"],
    execute: ({ host }) => {
      pinged.push(host);
      return `pong from ${host}`;
    },
  });
  const model = new FakeModel([toolCall("ping", { host: "db-1" }), text("db-1 answered.")]);
  return { agent: new Agent({ name: "Pinger", model, tools: [ping], db }), pinged, model };
}

const field = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;

describe("createServer({ slack })", () => {
  let fake: Fake;
  beforeEach(async () => {
    fake = await startSlackFake();
  });
  afterEach(async () => {
    await fake.close();
  });

  it("posts a paused tool call with its arguments and buttons; Approve runs it once as the mapped principal and says so", async () => {
    const db = new InMemoryDb();
    const { agent, pinged, model } = pinger(db);
    const { url, close } = await serve(fake, { agents: [agent] });
    try {
      const paused = await agent.run("Ping db-1");
      const [posted] = await fake.waitFor("chat.postMessage", 1);
      assert.ok(posted);
      assert.equal(posted.args["channel"], "C_APPROVALS");
      assert.match(String(posted.args["text"]), /Tool call `ping` of agent 'Pinger' waits for a decision/);
      assert.match(textsOf(posted), /Tool: ping · agent 'Pinger'/);
      const shown = blocksOf(posted).map((block) => String(field(field(block, "text"), "text")));
      assert.ok(shown.includes('Arguments:\n{\n  "host": "db-1"\n}'), shown.join(" | "));
      const buttons = blocksOf(posted).find((block) => block["type"] === "actions")?.["elements"];
      assert.deepEqual(
        (buttons as Array<Record<string, unknown>>).map((button) => button["action_id"]),
        ["kern_approve", "kern_reject"],
      );

      const started = Date.now();
      const answer = await fetch(
        `${url}/api/slack/interactions`,
        signedPress(SIGNING_SECRET, { userId: "U_ANN", action: "kern_approve", message: posted }),
      );
      assert.equal(answer.status, 200);
      assert.ok(Date.now() - started < 3_000, "Slack is answered within its 3 seconds");
      const [updated] = await fake.waitFor("chat.update", 1);
      assert.ok(updated);
      assert.equal(updated.args["ts"], "1700000001.000100");
      assert.match(String(updated.args["text"]), /^✅ Approved by ann \(sre\) at \d{4}-/);
      assert.equal(
        blocksOf(updated).some((block) => block["type"] === "actions"),
        false,
        "the buttons are gone",
      );
      assert.deepEqual(pinged, ["db-1"]);
      const stored = await agent.getRunOutput(paused.runId, paused.sessionId);
      assert.equal(stored.status, "completed");
      assert.match(JSON.stringify(model.requests[1]), /pong from db-1/);
      const decisions = await db.listDecisions({ runId: paused.runId });
      assert.deepEqual(
        decisions.map((entry) => [entry.actorId, entry.actorRoles, entry.automatic]),
        [["ann", ["sre"], false]],
      );

      // Slack retries a press it thinks was lost: the message is updated again, nothing runs twice.
      await fetch(
        `${url}/api/slack/interactions`,
        signedPress(SIGNING_SECRET, { userId: "U_ANN", action: "kern_approve", message: posted }),
      );
      const again = await fake.waitFor("chat.update", 2);
      assert.match(String(again[1]?.args["text"]), /^✅ Approved by ann \(sre\)/);
      assert.deepEqual(pinged, ["db-1"]);
    } finally {
      await close();
    }
  });

  it("Reject tells the model a person rejected the call, and the message says who", async () => {
    const db = new InMemoryDb();
    const { agent, pinged, model } = pinger(db);
    const { url, close } = await serve(fake, { agents: [agent] });
    try {
      await agent.run("Ping db-1");
      const [posted] = await fake.waitFor("chat.postMessage", 1);
      assert.ok(posted);
      await fetch(
        `${url}/api/slack/interactions`,
        signedPress(SIGNING_SECRET, { userId: "U_ANN", action: "kern_reject", message: posted }),
      );
      const [updated] = await fake.waitFor("chat.update", 1);
      assert.match(String(updated?.args["text"]), /^❌ Rejected by ann \(sre\)/);
      assert.deepEqual(pinged, []);
      assert.match(JSON.stringify(model.requests[1]), /rejected this tool call; it was not executed/);
    } finally {
      await close();
    }
  });

  it("says who decided first when the requirement was decided elsewhere, and runs nothing again", async () => {
    const db = new InMemoryDb();
    const { agent, pinged } = pinger(db);
    const { url, close } = await serve(fake, { agents: [agent] });
    try {
      const paused = await agent.run("Ping db-1");
      const [posted] = await fake.waitFor("chat.postMessage", 1);
      assert.ok(posted);
      const requirementId = paused.activeRequirements[0]?.id ?? "";
      const decisions = [{ requirementId, decision: { type: "confirm" as const } }];
      await agent.continueRun(
        { runId: paused.runId, sessionId: paused.sessionId, decisions },
        { actor: { id: "fred", roles: ["sre"] } },
      );
      await fetch(
        `${url}/api/slack/interactions`,
        signedPress(SIGNING_SECRET, { userId: "U_ANN", action: "kern_reject", message: posted }),
      );
      const [updated] = await fake.waitFor("chat.update", 1);
      assert.match(String(updated?.args["text"]), /^✅ Approved by fred \(sre\) at /);
      assert.deepEqual(pinged, ["db-1"]);
      assert.equal((await db.listDecisions({ runId: paused.runId })).length, 1);
    } finally {
      await close();
    }
  });

  it("refuses an unlinked Slack user and one the approvers refuse with 403, tells them privately, and changes nothing", async () => {
    const db = new InMemoryDb();
    const { agent, pinged } = pinger(db);
    const { url, close } = await serve(fake, { agents: [agent] });
    try {
      const paused = await agent.run("Ping db-1");
      const [posted] = await fake.waitFor("chat.postMessage", 1);
      assert.ok(posted);
      await fetch(
        `${url}/api/slack/interactions`,
        signedPress(SIGNING_SECRET, { userId: "U_EVE", action: "kern_approve", message: posted }),
      );
      await fetch(
        `${url}/api/slack/interactions`,
        signedPress(SIGNING_SECRET, { userId: "U_BOB", action: "kern_approve", message: posted }),
      );
      const told = await fake.waitFor("chat.postEphemeral", 2);
      const byUser = new Map(told.map((call) => [call.args["user"], String(call.args["text"])]));
      assert.match(byUser.get("U_EVE") ?? "", /not linked to anyone kern knows, so nothing was decided/);
      assert.match(
        byUser.get("U_BOB") ?? "",
        /^You \(bob\) may not decide this: the gate's approvers do not include you/,
      );
      assert.equal(fake.calls.filter((call) => call.method === "chat.update").length, 0);
      assert.deepEqual(pinged, []);
      assert.equal((await agent.getRunOutput(paused.runId, paused.sessionId)).isPaused, true);
      assert.deepEqual(await db.listDecisions({ runId: paused.runId }), []);
    } finally {
      await close();
    }
  });

  it("answers 401 to an unsigned, wrongly signed or stale request, without sign-in, and decides nothing", async () => {
    const db = new InMemoryDb();
    const { agent, pinged } = pinger(db);
    const apiKeys = [{ sha256: hashApiKey("key-of-ann"), principal: { id: "ann", roles: ["sre"] } }];
    const { url, close } = await serve(fake, { agents: [agent], auth: { apiKeys } });
    try {
      await agent.run("Ping db-1");
      const [posted] = await fake.waitFor("chat.postMessage", 1);
      assert.ok(posted);
      const press = { userId: "U_ANN", action: "kern_approve" as const, message: posted };
      const forged = signedPress("not-the-secret", press);
      const stale = signedPress(SIGNING_SECRET, press, Math.floor(Date.now() / 1000) - 600);
      const unsigned = {
        ...signedPress(SIGNING_SECRET, press),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      };
      for (const request of [forged, stale, unsigned]) {
        const answer = await fetch(`${url}/api/slack/interactions`, request);
        assert.equal(answer.status, 401);
        const body = (await answer.json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, "KERN_UNAUTHENTICATED");
        assert.match(body.error.message, /Slack signature/);
      }
      // The endpoint needs no bearer token (Slack sends none); the rest of the API still does.
      const signed = await fetch(`${url}/api/slack/interactions`, signedPress(SIGNING_SECRET, press));
      assert.equal(signed.status, 200);
      assert.equal((await fetch(`${url}/api/inbox`)).status, 401);
      await fake.waitFor("chat.update", 1);
      assert.deepEqual(pinged, ["db-1"]);
    } finally {
      await close();
    }
  });

  it("posts a workflow step gate with its question, and Approve continues the workflow", async () => {
    const db = new InMemoryDb();
    const deployed: string[] = [];
    const workflow = new Workflow({
      name: "deploys",
      db,
      steps: [
        new Step({
          name: "deploy",
          executor: (input) => {
            deployed.push(String(input.input));
            return "deployed";
          },
          requiresConfirmation: true,
          confirmationMessage: "Deploy api@v42 to production?",
          approvers: ["sre"],
        }),
      ],
    });
    const { url, close } = await serve(fake, { workflows: [workflow] });
    try {
      const paused = await workflow.run("api@v42");
      const [posted] = await fake.waitFor("chat.postMessage", 1);
      assert.ok(posted);
      assert.match(textsOf(posted), /Step gate · workflow 'deploys', step 'deploy'\\nDeploy api@v42 to production\?/);
      await fetch(
        `${url}/api/slack/interactions`,
        signedPress(SIGNING_SECRET, { userId: "U_ANN", action: "kern_approve", message: posted }),
      );
      const [updated] = await fake.waitFor("chat.update", 1);
      assert.match(String(updated?.args["text"]), /^✅ Approved by ann \(sre\)/);
      assert.deepEqual(deployed, ["api@v42"]);
      assert.equal((await workflow.getRunOutput(paused.runId, paused.sessionId)).status, "completed");
    } finally {
      await close();
    }
  });

  it("retries a post Slack refused, through the outbox", async () => {
    const db = new InMemoryDb();
    const { agent } = pinger(db);
    fake.failNext("chat.postMessage", "ratelimited");
    const { close, logged } = await serve(fake, { agents: [agent] });
    try {
      await agent.run("Ping db-1");
      const posts = await fake.waitFor("chat.postMessage", 2);
      assert.equal(posts.length, 2);
      assert.ok(logged.some((line) => /was not taken by slack: .*ratelimited/.test(line)));
    } finally {
      await close();
    }
  });
});

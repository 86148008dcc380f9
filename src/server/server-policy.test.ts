import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import type { StepPolicyContext, ToolPolicyContext } from "../runs/index.js";
import { Step, Workflow } from "../workflow/index.js";
import { call, type Json } from "./auth/auth.test-helper.js";
import { createServer } from "./index.js";

describe("createServer({ policy })", () => {
  it("decides the gates of the runs it starts when nothing closer has a policy, and records it", async () => {
    const db = new InMemoryDb();
    const workflow = new Workflow({
      name: "deploys",
      db,
      steps: [
        new Step({ name: "staging", executor: () => "on staging", requiresConfirmation: true }),
        new Step({ name: "production", executor: () => "on production", requiresConfirmation: true }),
      ],
    });
    const server = createServer({
      workflows: [workflow],
      policy: function stagingIsFree(context: ToolPolicyContext | StepPolicyContext) {
        return context.gate === "step" && context.stepName === "staging" ? "allow" : "ask";
      },
    });
    const started = await call(server.app, "/api/workflows/deploys/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "v3" }),
    });
    assert.equal(started.body["status"], "paused");
    assert.equal((started.body["activeRequirement"] as Json)["stepName"], "production");
    const [entry] = await db.listDecisions({ runId: String(started.body["runId"]) });
    assert.deepEqual([entry?.actorId, entry?.automatic], ["kern:policy:stagingIsFree", true]);
    // The same workflow used without the server asks a person for staging.
    assert.equal((await workflow.run("v3")).stepRequirements.at(-1)?.stepName, "staging");
  });

  it("refuses a policy that is not a function", () => {
    const workflow = new Workflow({ name: "w", steps: [new Step({ name: "s", executor: () => "ok" })] });
    assert.throws(() => createServer({ workflows: [workflow], policy: "allow" as never }), {
      name: "ConfigurationError",
      message: /policy must be a function/,
    });
  });
});

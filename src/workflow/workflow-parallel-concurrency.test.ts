import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Parallel } from "./components/parallel.js";
import { Step } from "./components/step.js";
import { activeLabels, approveAt, Latch } from "./parallel.test-helper.js";
import { Workflow } from "./workflow.js";
import { freshDb } from "./workflow.test-helper.js";

/**
 * Two branches that can only finish together: each opens the other's latch, then waits for its
 * own. Run one after another, the first would wait for a latch only the second opens, and fail.
 */
function meetingPoint(): { a: () => Promise<string>; b: () => Promise<string> } {
  const forA = new Latch();
  const forB = new Latch();
  return {
    a: async () => {
      forB.open();
      await forA.wait("branch a");
      return "a";
    },
    b: async () => {
      forA.open();
      await forB.wait("branch b");
      return "b";
    },
  };
}

/** An agent whose gated tool runs `meet` when approved. */
function meetingAgent(name: string, meet: () => Promise<string>, db: ReturnType<typeof freshDb>): Agent {
  const gated = tool({
    name: `${name}_tool`,
    parameters: z.object({}),
    requiresConfirmation: true,
    execute: () => meet(),
  });
  const model = new FakeModel([
    toolCall(`${name}_tool`, {}),
    (request) => text(`${name}: ${request.messages.at(-1)?.content ?? ""}`),
  ]);
  return new Agent({ name, model, tools: [gated], db });
}

describe("Parallel branches run concurrently", () => {
  it("on the first run: two branches that each wait for the other both finish", async () => {
    const { a, b } = meetingPoint();
    const workflow = new Workflow({
      name: "meet",
      db: freshDb(),
      steps: [
        new Parallel({
          name: "p",
          steps: [new Step({ name: "a", executor: a }), new Step({ name: "b", executor: b })],
        }),
      ],
    });
    const run = await workflow.run("in");
    assert.deepEqual([run.status, run.content], ["completed", "a\n\nb"]);
  });

  it("after a continue: two branches decided together run at once, gate steps and approved tool calls alike", async () => {
    const steps = meetingPoint();
    const db = freshDb();
    const gatedSteps = new Workflow({
      name: "gated-steps",
      db,
      steps: [
        new Parallel({
          name: "p",
          steps: [
            new Step({ name: "a", executor: steps.a, requiresConfirmation: true }),
            new Step({ name: "b", executor: steps.b, requiresConfirmation: true }),
          ],
        }),
      ],
    });
    const paused = await gatedSteps.run("in");
    assert.deepEqual(activeLabels(paused), ["confirmation:p/a", "confirmation:p/b"]);
    approveAt(paused, "a");
    approveAt(paused, "b");
    const done = await gatedSteps.continueRun(paused);
    assert.deepEqual([done.status, done.content], ["completed", "a\n\nb"]);

    const tools = meetingPoint();
    const gatedTools = new Workflow({
      name: "gated-tools",
      db,
      steps: [
        new Parallel({
          name: "p",
          steps: [
            new Step({ name: "a", agent: meetingAgent("A", tools.a, db) }),
            new Step({ name: "b", agent: meetingAgent("B", tools.b, db) }),
          ],
        }),
      ],
    });
    const waiting = await gatedTools.run("in");
    assert.deepEqual(activeLabels(waiting), ["executor:p/a", "executor:p/b"]);
    approveAt(waiting, "a");
    approveAt(waiting, "b");
    const finished = await gatedTools.continueRun(waiting);
    assert.deepEqual([finished.status, finished.content], ["completed", "A: a\n\nB: b"]);
  });
});

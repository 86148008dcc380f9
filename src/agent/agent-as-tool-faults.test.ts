import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import type { RunRecord } from "../db/db.js";
import { InMemoryDb } from "../db/memory/index.js";
import { error, FakeModel, type FakeScript, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { CrashingDb, LATER } from "../workflow/crashing-db.test-helper.js";
import { Counter } from "../workflow/workflow.test-helper.js";
import { Agent } from "./agent.js";

/**
 * Three levels: Planner calls Researcher (as a tool), Researcher calls Fetcher, Fetcher's `fetch_page`
 * is gated. Each level's model and the tool's executions are counted.
 */
function threeLevels(
  db: InMemoryDb,
  scripts: { planner: FakeScript[]; researcher: FakeScript[]; fetcher: FakeScript[] },
) {
  const counter = new Counter();
  const fetchPage = tool({
    name: "fetch_page",
    parameters: z.object({ url: z.string() }),
    requiresConfirmation: true,
    execute: ({ url }) => {
      counter.hit("fetch_page");
      return `Fetched ${url}`;
    },
  });
  const models = {
    planner: new FakeModel(scripts.planner),
    researcher: new FakeModel(scripts.researcher),
    fetcher: new FakeModel(scripts.fetcher),
  };
  // A sub-agent's own db is never used: its runs live in the run that calls it.
  const fetcher = new Agent({ name: "Fetcher", model: models.fetcher, tools: [fetchPage], db: new InMemoryDb() });
  const researcher = new Agent({ name: "Researcher", model: models.researcher, tools: [fetcher.asTool()] });
  const planner = new Agent({ name: "Planner", model: models.planner, tools: [researcher.asTool()], db });
  return { planner, counter, models };
}

const DEEP = {
  planner: [toolCall("Researcher", { input: "Research kern" }), text("Plan ready.")],
  researcher: [toolCall("Fetcher", { input: "Fetch kern.dev" }), text("Research done.")],
  fetcher: [toolCall("fetch_page", { url: "https://kern.dev" }), text("Page fetched.")],
};

/** The checkpoint that stores the gated call's result (three levels down), before the fetcher's model is called again. */
function fetchResultStored(record: RunRecord): boolean {
  return record.status === "running" && record.state.includes('"result":"Fetched https://kern.dev"');
}

describe("agents as tools at any depth", () => {
  it("pauses the outermost run three levels down and resumes every level in place", async () => {
    const db = new InMemoryDb();
    const { planner, counter, models } = threeLevels(db, DEEP);
    const paused = await planner.run("Plan");
    assert.deepEqual(
      paused.activeRequirements.map((requirement) => requirement.path),
      [["Planner", "Researcher", "Fetcher", "fetch_page"]],
    );
    paused.activeRequirements[0]?.confirm();
    const done = await planner.continueRun(paused);
    assert.deepEqual([done.status, done.content], ["completed", "Plan ready."]);
    assert.equal(counter.of("fetch_page"), 1);
    assert.deepEqual(
      [models.planner.requests.length, models.researcher.requests.length, models.fetcher.requests.length],
      [2, 2, 2],
      "no model call of any level was repeated",
    );
    assert.deepEqual(
      done.subRuns.flatMap((sub) => [sub.agentName, ...sub.subRuns.map((inner) => inner.agentName)]),
      ["Researcher", "Fetcher"],
    );
    assert.equal((await db.listRuns({})).length, 1, "the whole tree is one stored run");
  });

  it("recover() after a crash three levels down asks only about the call that may have run", async () => {
    const db = new CrashingDb();
    const { planner, counter, models } = threeLevels(db, {
      ...DEEP,
      fetcher: [toolCall("fetch_page", { url: "https://kern.dev" }), text("Page fetched.")],
    });
    const paused = await planner.run("Plan");
    paused.activeRequirements[0]?.confirm();
    db.crashOn = fetchResultStored;
    await assert.rejects(planner.continueRun(paused), /process died/);
    assert.equal(counter.of("fetch_page"), 1);

    const { agentRuns } = await planner.recover({ now: LATER });
    assert.deepEqual(
      agentRuns.map((run) => [run.runId, run.uncertainToolCalls.length, run.needsDecision]),
      [[paused.runId, 1, true]],
    );
    const run = await planner.getRunOutput(paused.runId, paused.sessionId);
    const [uncertain, ...rest] = run.activeRequirements;
    assert.equal(rest.length, 0);
    assert.deepEqual(
      [uncertain?.path, uncertain?.isRecovered],
      [["Planner", "Researcher", "Fetcher", "fetch_page"], true],
    );
    uncertain?.reject();
    const done = await planner.continueRun(run);
    assert.equal(done.status, "completed");
    assert.equal(counter.of("fetch_page"), 1, "the call that may have run did not run again");
    assert.equal(models.planner.requests.length, 2);
  });

  it("resumes a sub-run that crashed between two model calls with nothing to decide", async () => {
    const db = new CrashingDb();
    const { planner, counter, models } = threeLevels(db, {
      ...DEEP,
      planner: [...DEEP.planner, text("Plan ready (asked again).")],
    });
    const paused = await planner.run("Plan");
    paused.activeRequirements[0]?.confirm();
    // Dies at the planner's final save: the last stored state is the checkpoint with the sub-run's answer.
    db.crashOn = (record) => record.status === "completed";
    await assert.rejects(planner.continueRun(paused), /process died/);
    const { agentRuns } = await planner.recover({ now: LATER });
    assert.deepEqual(
      agentRuns.map((run) => [run.uncertainToolCalls, run.needsDecision]),
      [[[], false]],
    );
    const done = await planner.continueRun({ runId: paused.runId, sessionId: paused.sessionId });
    assert.deepEqual([done.status, done.content], ["completed", "Plan ready (asked again)."]);
    assert.equal(counter.of("fetch_page"), 1);
    assert.deepEqual([models.researcher.requests.length, models.fetcher.requests.length], [2, 2]);
  });

  it("tells the calling model when a sub-agent fails, like any tool's error", async () => {
    const db = new InMemoryDb();
    const { planner } = threeLevels(db, {
      planner: [toolCall("Researcher", { input: "Research kern" }), text("Could not research.")],
      researcher: [error(503, "overloaded")],
      fetcher: [],
    });
    const done = await planner.run("Plan");
    assert.equal(done.status, "completed");
    const told = done.messages.filter((message) => message.role === "tool").map((message) => message.content);
    assert.equal(told.length, 1);
    assert.match(told[0] ?? "", /^Error: Agent 'Researcher' failed: .*overloaded/);
    assert.deepEqual(
      done.subRuns.map((sub) => sub.status),
      ["error"],
    );
  });

  it("cancelRun closes the paused sub-runs and their requirements", async () => {
    const db = new InMemoryDb();
    const { planner, counter } = threeLevels(db, DEEP);
    const paused = await planner.run("Plan");
    const cancelled = await planner.cancelRun(paused.runId, paused.sessionId);
    assert.equal(cancelled.status, "cancelled");
    assert.deepEqual(cancelled.activeRequirements, []);
    assert.deepEqual(
      cancelled.subRuns.map((sub) => [sub.status, sub.subRuns[0]?.status]),
      [["cancelled", "cancelled"]],
    );
    assert.deepEqual(await db.listPendingRequirements({}), []);
    assert.equal(counter.of("fetch_page"), 0);
  });
});

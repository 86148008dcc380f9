// What an HTTP client is told when it asks for something a run cannot do right now: each answer is
// the right 4xx with a JSON body that says what happened, and the stored run is left unchanged.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step, Workflow } from "../workflow/index.js";
import {
  decide,
  decideCalls,
  type Json,
  type LiveServer,
  pingAgent,
  scenarioOne,
  startServer,
  waitFor,
} from "./server.test-helper.js";

const RUNS = "/api/workflows/DualConfirmation/runs";
const SLOW = "/api/workflows/slow/runs";

/** A one-step workflow whose step waits until the test lets it finish. */
function slowWorkflow(db: InMemoryDb): { workflow: Workflow; finish: () => void } {
  let finish = (): void => undefined;
  const gate = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const workflow = new Workflow({
    name: "slow",
    db,
    steps: [
      new Step({
        name: "wait",
        executor: async () => {
          await gate;
          return "finished";
        },
      }),
    ],
  });
  return { workflow, finish };
}

/** An agent whose gated `ping` the model calls twice, one turn after the other. */
function chainedAgent(db: InMemoryDb): { agent: Agent; pinged: string[] } {
  const pinged: string[] = [];
  const ping = tool({
    name: "ping",
    parameters: z.object({ host: z.string() }),
    requiresConfirmation: true,
    execute: ({ host }) => {
      pinged.push(host);
      return `pong ${host}`;
    },
  });
  const model = new FakeModel([
    toolCall("ping", { host: "a" }),
    toolCall("ping", { host: "b" }),
    text("both answered"),
  ]);
  return { agent: new Agent({ name: "Chainer", model, tools: [ping], db }), pinged };
}

describe("kern/server answers to requests a run cannot serve", () => {
  const db = new InMemoryDb();
  const scenario = scenarioOne(db);
  const pinger = pingAgent(db);
  const slow = slowWorkflow(db);
  const chainer = chainedAgent(db);
  let server: LiveServer;
  before(async () => {
    server = await startServer({
      workflows: [scenario.workflow, slow.workflow],
      agents: [pinger.agent, chainer.agent],
      sweepIntervalMs: 0,
    });
  });
  after(async () => {
    await server?.close();
  });
  const stored = async (kind: "workflow" | "agent", runId: unknown) => db.getRun(kind, String(runId));

  it("refuses requirement JSON of an unknown schemaVersion, on workflows and agents, changing nothing; HTTP takes only decisions", async () => {
    const run = (await server.post(RUNS, { input: "Alert Tokyo" })).body;
    const before = await stored("workflow", run["runId"]);
    const step = {
      ...(run["activeRequirement"] as Json),
      id: String((run["activeRequirement"] as Json)["id"]),
      decision: { type: "confirm" as const },
      schemaVersion: 9,
    };
    await assert.rejects(
      scenario.workflow.continueRun({
        runId: String(run["runId"]),
        sessionId: String(run["sessionId"]),
        stepRequirements: [step],
      }),
      {
        name: "StateVersionError",
        message: /schemaVersion 9.*versions 1 to 6/,
      },
    );
    // Over HTTP a continue carries decisions, never requirement JSON: the echo is refused, naming the field to use.
    const echoed = await server.post(`${RUNS}/${String(run["runId"])}/continue`, {
      sessionId: run["sessionId"],
      stepRequirements: [step],
    });
    assert.equal(echoed.status, 400);
    assert.match(String((echoed.body["error"] as Json)["message"]), /stepRequirements/);
    assert.deepEqual(await stored("workflow", run["runId"]), before);

    const agentRun = (await server.post("/api/agents/Pinger/runs", { input: "Ping db-1" })).body;
    const [requirement] = agentRun["activeRequirements"] as Json[];
    const agentBefore = await stored("agent", agentRun["runId"]);
    const decided = { id: String(requirement?.["id"]), decision: { type: "confirm" as const }, schemaVersion: 7 };
    await assert.rejects(
      pinger.agent.continueRun({
        runId: String(agentRun["runId"]),
        sessionId: String(agentRun["sessionId"]),
        requirements: [decided],
      }),
      { name: "StateVersionError" },
    );
    assert.deepEqual(await stored("agent", agentRun["runId"]), agentBefore);
    assert.deepEqual(pinger.pinged, []);
  });

  it("answers a cancel of a running run with 409 saying it is running; the run then completes", async () => {
    const running = slow.workflow.run("go");
    const [summary] = await (async () => {
      await waitFor(
        "the slow run to be stored as running",
        async () => (await slow.workflow.listRuns({ status: "running" })).length === 1,
      );
      return slow.workflow.listRuns({ status: "running" });
    })();
    assert.ok(summary !== undefined);
    const before = await stored("workflow", summary.runId);
    const answer = await server.post(`${SLOW}/${summary.runId}/cancel`, { sessionId: summary.sessionId });
    assert.equal(answer.status, 409);
    assert.equal((answer.body["error"] as Json)["name"], "RunNotPausedError");
    assert.match(
      String((answer.body["error"] as Json)["message"]),
      /is running \(a process holds its claim and is executing it now\); only a paused run can be cancelled/,
    );
    assert.deepEqual(await stored("workflow", summary.runId), before);
    slow.finish();
    assert.equal((await running).status, "completed", "the run was not cancelled behind the caller's back");
    const again = await server.post(`${SLOW}/${summary.runId}/cancel`, { sessionId: summary.sessionId });
    assert.equal(again.status, 409);
    assert.match(String((again.body["error"] as Json)["message"]), /is completed \(it already finished\)/);
  });

  it("answers a decision that lost the race with 409 saying it was already decided, changing nothing", async () => {
    const run = (await server.post(RUNS, { input: "Alert Osaka" })).body;
    const winner = decide(run, { type: "confirm" });
    const loser = decide(run, { type: "confirm" });
    const first = await server.post(`${RUNS}/${String(run["runId"])}/continue`, {
      sessionId: run["sessionId"],
      decisions: winner,
    });
    assert.equal(first.body["pauseKind"], "executor");
    const before = await stored("workflow", run["runId"]);
    const late = await server.post(`${RUNS}/${String(run["runId"])}/continue`, {
      sessionId: run["sessionId"],
      decisions: loser,
    });
    assert.equal(late.status, 409);
    assert.equal((late.body["error"] as Json)["code"], "KERN_REQUIREMENT_RESOLVED");
    assert.match(String((late.body["error"] as Json)["message"]), /already decided .* the run has moved on/);
    assert.deepEqual(await stored("workflow", run["runId"]), before);
    // A client that sends the current decision still gets on.
    const done = await server.post(`${RUNS}/${String(run["runId"])}/continue`, {
      sessionId: run["sessionId"],
      decisions: decideCalls(first.body, { type: "confirm" }),
    });
    assert.equal(done.body["status"], "completed");
  });

  it("answers an agent decision that lost the race with 409 saying it was already decided, changing nothing", async () => {
    const run = (await server.post("/api/agents/Chainer/runs", { input: "Ping a, then b" })).body;
    const [requirement] = run["activeRequirements"] as Json[];
    const path = `/api/agents/Chainer/runs/${String(run["runId"])}/continue`;
    const decisions = [{ requirementId: requirement?.["id"], decision: { type: "confirm" } }];
    const first = await server.post(path, { sessionId: run["sessionId"], decisions });
    assert.equal(first.body["status"], "paused", "the agent asks about its next call");
    const before = await stored("agent", run["runId"]);
    const late = await server.post(path, { sessionId: run["sessionId"], decisions });
    assert.equal(late.status, 409);
    assert.equal((late.body["error"] as Json)["code"], "KERN_REQUIREMENT_RESOLVED");
    assert.match(String((late.body["error"] as Json)["message"]), /already decided .* the run has moved on/);
    assert.deepEqual(await stored("agent", run["runId"]), before);
    assert.deepEqual(chainer.pinged, ["a"]);
  });

  it("refuses input a store cannot hold with 400 before anything runs or is stored", async () => {
    const before = (await scenario.workflow.listRuns({ limit: 1000 })).length;
    const sent = scenario.sent.length;
    const deep = `{"input":"x","additionalData":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`;
    const tooDeep = await server.post(RUNS, deep);
    assert.equal(tooDeep.status, 400);
    assert.equal((tooDeep.body["error"] as Json)["code"], "KERN_INVALID_INPUT");
    assert.match(String((tooDeep.body["error"] as Json)["message"]), /nested more than 64 levels deep/);
    for (const bad of [{ sessionId: "s\u0000ession" }, { userId: "u\u0000" }, { userId: "\ud800" }]) {
      const answer = await server.post(RUNS, { input: "x", ...bad });
      assert.equal(answer.status, 400, JSON.stringify(bad));
      assert.match(
        String((answer.body["error"] as Json)["message"]),
        /control character \(such as NUL\) or a lone surrogate/,
      );
    }
    assert.equal((await scenario.workflow.listRuns({ limit: 1000 })).length, before, "nothing was stored");
    assert.equal(scenario.sent.length, sent, "no tool ran");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Db, RunRecord } from "../db/db.js";
import { error, text, toolCall } from "../testing/index.js";
import { makeAgent } from "./agent.test-helper.js";
import { RunOutput } from "./run-output.js";

const TOKYO = { city: "Tokyo", message: "Heavy rain" };

async function stored(db: Db, runId: string): Promise<RunRecord> {
  const record = await db.getRun("agent", runId);
  assert.ok(record, `run ${runId} is stored`);
  return record;
}

describe("continuing by id with requirement JSON", () => {
  it("applies decisions sent as JSON (e.g. from an HTTP client) to the stored run", async () => {
    const { agent, executions } = makeAgent([toolCall("send_alert", TOKYO), text("Sent.")]);
    const paused = await agent.run("Alert");
    const wire = JSON.parse(JSON.stringify(paused.activeRequirements)) as Array<Record<string, unknown>>;
    const decided = wire.map((entry) => ({
      ...entry,
      id: String(entry["id"]),
      decision: { type: "confirm" as const },
    }));
    const done = await agent.continueRun({ runId: paused.runId, sessionId: paused.sessionId, requirements: decided });
    assert.equal(done.status, "completed");
    assert.equal(executions.count("send_alert"), 1);
  });

  it("loads a run another object paused and continues it with a fresh agent", async () => {
    const first = makeAgent([toolCall("send_alert", TOKYO)]);
    const paused = await first.agent.run("Alert");
    const second = makeAgent([text("Sent later.")], { db: first.db });
    const loaded = await second.agent.getRunOutput(paused.runId, paused.sessionId);
    loaded.activeRequirements[0]?.confirm();
    const done = await second.agent.continueRun(loaded);
    assert.equal(done.content, "Sent later.");
    assert.equal(second.executions.count("send_alert"), 1);
    assert.equal(first.executions.count("send_alert"), 0);
  });
});

describe("bad input leaves the stored run unchanged", () => {
  it("refuses to continue with an unresolved requirement, then continues once it is resolved", async () => {
    const { agent, db, executions } = makeAgent([toolCall("send_alert", TOKYO), text("Sent.")]);
    const paused = await agent.run("Alert");
    const before = await stored(db, paused.runId);
    await assert.rejects(agent.continueRun(paused), (thrown: Error & { missing?: unknown[] }) => {
      assert.equal(thrown.name, "UnresolvedRequirementError");
      assert.match(thrown.message, /send_alert.*confirm\(\) or reject/);
      assert.equal(thrown.missing?.length, 1);
      return true;
    });
    assert.deepEqual(await stored(db, paused.runId), before);
    assert.equal(executions.count("send_alert"), 0);
    paused.activeRequirements[0]?.confirm();
    assert.equal((await agent.continueRun(paused)).status, "completed");
  });

  it("refuses the wrong resolution method, in process and as JSON", async () => {
    const { agent, db } = makeAgent([toolCall("send_alert", TOKYO)]);
    const paused = await agent.run("Alert");
    const requirement = paused.activeRequirements[0];
    assert.throws(() => requirement?.provideUserInput({ city: "x" }), {
      name: "InvalidResolutionError",
      message: /confirm\(\) or reject/,
    });
    assert.throws(() => requirement?.setExternalExecutionResult("x"), { name: "InvalidResolutionError" });
    const before = await stored(db, paused.runId);
    const wrong = [{ requirementId: requirement?.id ?? "", decision: { type: "result" as const, result: "fake" } }];
    await assert.rejects(agent.continueRun({ runId: paused.runId, sessionId: paused.sessionId, decisions: wrong }), {
      name: "InvalidResolutionError",
      message: /a decision of type "result" does not fit .* send \{"type":"confirm"\} or \{"type":"reject"/,
    });
    assert.deepEqual(await stored(db, paused.runId), before);
  });

  it("refuses missing or mistyped user input sent as JSON", async () => {
    const { agent, db, executions } = makeAgent([toolCall("book_flight", { origin: "NRT" })]);
    const paused = await agent.run("Book");
    const id = paused.activeRequirements[0]?.id;
    const before = await stored(db, paused.runId);
    for (const values of [
      { destination: "Lisbon" },
      { destination: "Lisbon", seats: 1.5 },
      { destination: 3, seats: 1 },
    ]) {
      const decisions = [{ requirementId: id ?? "", decision: { type: "input" as const, values } }];
      await assert.rejects(agent.continueRun({ runId: paused.runId, sessionId: paused.sessionId, decisions }), {
        name: "InvalidResolutionError",
      });
    }
    assert.deepEqual(await stored(db, paused.runId), before);
    assert.equal(executions.count("book_flight"), 0);
  });

  it("refuses to continue a completed run with its status", async () => {
    const { agent, db } = makeAgent([text("Hi.")]);
    const done = await agent.run("Hello");
    const before = await stored(db, done.runId);
    await assert.rejects(agent.continueRun(done), (thrown: Error & { status?: string }) => {
      assert.equal(thrown.name, "RunNotPausedError");
      assert.equal(thrown.status, "completed");
      return true;
    });
    assert.deepEqual(await stored(db, done.runId), before);
  });

  it("reports an unknown run id, or a known id in another session, as RunNotFoundError", async () => {
    const { agent } = makeAgent([toolCall("send_alert", TOKYO)]);
    const paused = await agent.run("Alert");
    await assert.rejects(
      agent.continueRun({ runId: "nope", sessionId: paused.sessionId }),
      (thrown: Error & { runId?: string }) => {
        assert.equal(thrown.name, "RunNotFoundError");
        assert.equal(thrown.runId, "nope");
        return true;
      },
    );
    await assert.rejects(agent.getRunOutput(paused.runId, "other-session"), { name: "RunNotFoundError" });
  });

  it("reports a corrupt row or an unknown schemaVersion with a typed error and leaves it as it is", async () => {
    const { agent, db } = makeAgent([toolCall("send_alert", TOKYO)]);
    const paused = await agent.run("Alert");
    const record = await stored(db, paused.runId);
    const variants: Array<[string, string]> = [
      ["{not json", "StateCorruptError"],
      [JSON.stringify({ ...paused.toJSON(), schemaVersion: 99 }), "StateVersionError"],
      [JSON.stringify({ ...paused.toJSON(), messages: "oops" }), "StateCorruptError"],
    ];
    let revision = record.revision;
    for (const [state, name] of variants) {
      assert.ok(await db.updateRun({ ...record, revision: revision + 1, state }, revision));
      revision += 1;
      const broken = await stored(db, paused.runId);
      paused.activeRequirements[0]?.confirm();
      await assert.rejects(agent.continueRun(paused), { name });
      await assert.rejects(agent.getRunOutput(paused.runId, paused.sessionId), { name });
      assert.deepEqual(await stored(db, paused.runId), broken);
    }
  });

  it("refuses to change a frozen requirement through JSON", async () => {
    const { agent } = makeAgent([toolCall("send_alert", TOKYO), toolCall("send_alert", TOKYO)]);
    const first = await agent.run("Alert");
    const oldId = first.activeRequirements[0]?.id;
    first.activeRequirements[0]?.confirm();
    const second = await agent.continueRun(first);
    const requirements = [{ id: oldId ?? "", decision: { type: "reject" as const, feedback: null } }];
    await assert.rejects(agent.continueRun({ runId: second.runId, sessionId: second.sessionId, requirements }), {
      name: "RequirementResolvedError",
    });
  });
});

describe("claims", () => {
  it("lets exactly one of two concurrent continues run the approved tool", async () => {
    const { agent, executions } = makeAgent([toolCall("send_alert", TOKYO), text("Sent."), text("never used")]);
    const paused = await agent.run("Alert");
    paused.activeRequirements[0]?.confirm();
    const results = await Promise.allSettled([agent.continueRun(paused), agent.continueRun(paused)]);
    const rejected = results.filter((result) => result.status === "rejected");
    assert.equal(results.filter((result) => result.status === "fulfilled").length, 1);
    assert.equal(rejected.length, 1);
    assert.equal((rejected[0] as PromiseRejectedResult).reason.name, "RunAlreadyClaimedError");
    assert.equal(executions.count("send_alert"), 1);
  });

  it("never changes anything on getRunOutput", async () => {
    const { agent, db } = makeAgent([toolCall("send_alert", TOKYO)]);
    const paused = await agent.run("Alert");
    const before = await stored(db, paused.runId);
    await agent.getRunOutput(paused.runId, paused.sessionId);
    assert.deepEqual(await stored(db, paused.runId), before);
  });
});

describe("failures are stored", () => {
  it("stores a provider error as an error run and rejects with ModelError carrying it", async () => {
    const { agent, db } = makeAgent([toolCall("send_alert", TOKYO), error(503, "overloaded")]);
    const paused = await agent.run("Alert");
    paused.activeRequirements[0]?.confirm();
    await assert.rejects(agent.continueRun(paused), (thrown: Error & { status?: number; runOutput?: RunOutput }) => {
      assert.equal(thrown.name, "ModelError");
      assert.equal(thrown.status, 503);
      assert.equal(thrown.runOutput?.status, "error");
      return true;
    });
    assert.equal((await stored(db, paused.runId)).status, "error");
    assert.equal((await agent.getRunOutput(paused.runId, paused.sessionId)).error?.code, "KERN_MODEL");
  });

  it("treats malformed tool-call JSON as a ModelError", async () => {
    const { agent } = makeAgent([toolCall("send_alert", "{city: Tokyo")]);
    await assert.rejects(agent.run("Alert"), { name: "ModelError", message: /malformed JSON arguments/ });
  });

  it("stops a runaway tool loop at the turn limit", async () => {
    const loop = Array.from({ length: 11 }, () => toolCall("get_weather", { city: "Tokyo" }));
    const { agent, executions } = makeAgent(loop);
    await assert.rejects(agent.run("Loop"), { name: "MaxTurnsExceededError", message: /limit of 10 model turns/ });
    assert.equal(executions.count("get_weather"), 10);
  });
});

describe("run state round trip", () => {
  it("survives toJSON / fromJSON with real requirement objects", async () => {
    const { agent } = makeAgent([toolCall("send_alert", TOKYO), text("Sent.")]);
    const paused = await agent.run("Alert");
    const revived = RunOutput.fromJSON(JSON.parse(JSON.stringify(paused)));
    assert.equal(revived.isPaused, true);
    revived.activeRequirements[0]?.confirm();
    assert.equal((await agent.continueRun(revived)).status, "completed");
    assert.throws(() => RunOutput.fromJSON({ ...paused.toJSON(), schemaVersion: 7 }), { name: "StateVersionError" });
  });
});

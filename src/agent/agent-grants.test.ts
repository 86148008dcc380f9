import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { z } from "zod";
import type { Db } from "../db/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { SqliteDb } from "../db/sqlite/index.js";
import { verifyDecisionChain } from "../runs/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Agent } from "./agent.js";
import type { RunOutput } from "./run-output.js";

/** An agent whose model asks to send one alert per run, for the city given. */
function alerter(db: Db, cities: string[], clock: { now: number } = { now: Date.now() }) {
  const sent: string[] = [];
  const send = tool({
    name: "send_alert",
    parameters: z.object({ city: z.string(), message: z.string() }),
    requiresConfirmation: true,
    execute: ({ city }) => {
      sent.push(city);
      return `Alert sent for ${city}`;
    },
  });
  const script = cities.flatMap((city) => [toolCall("send_alert", { city, message: "Heavy rain" }), text("Done.")]);
  const agent = new Agent({ name: "Alerts", model: new FakeModel(script), tools: [send], db, now: () => clock.now });
  return { agent, sent };
}

/** Starts a run that pauses on its alert, approves it with `grant`, and continues it. */
async function approveWithGrant(
  agent: Agent,
  sessionId: string,
  grant: Parameters<NonNullable<RunOutput["activeRequirements"][0]>["confirm"]>[0],
) {
  const paused = await agent.run("Alert", { sessionId, userId: "ana" });
  assert.equal(paused.status, "paused");
  paused.activeRequirements[0]?.confirm(grant);
  const done = await agent.continueRun(paused, { actor: { id: "ana", roles: ["ops"] } });
  assert.equal(done.status, "completed");
  return done;
}

describe("grants: always allow this tool", () => {
  it("a second call of the tool in the same session runs without a pause, recorded naming the grant", async () => {
    const db = new InMemoryDb();
    const { agent, sent } = alerter(db, ["Osaka", "Kyoto"]);
    await approveWithGrant(agent, "s-1", { grant: { scope: "session" } });
    const [grant, ...others] = await db.listGrants();
    assert.equal(others.length, 0);
    assert.deepEqual(
      [grant?.ownerId, grant?.toolName, grant?.scope, grant?.scopeId, grant?.createdBy, grant?.argsMatch],
      [agent.id, "send_alert", "session", "s-1", "ana", null],
    );
    const second = await agent.run("Alert again", { sessionId: "s-1", userId: "ana" });
    assert.equal(second.status, "completed");
    assert.deepEqual(sent, ["Osaka", "Kyoto"]);
    const grantId = grant?.id ?? "";
    assert.deepEqual(second.requirements[0]?.decidedBy, {
      kind: "grant",
      id: `kern:grant:${grantId}`,
      roles: [],
      grantId,
    });
    const [entry, ...rest] = await db.listDecisions({ runId: second.runId });
    assert.equal(rest.length, 0);
    assert.deepEqual([entry?.actorId, entry?.automatic], [`kern:grant:${grantId}`, true]);
    assert.deepEqual(JSON.parse(entry?.decision ?? "null"), { type: "confirm", grant: grantId });
    assert.equal((await verifyDecisionChain(db, { kind: "agent", runId: second.runId })).ok, true);
  });

  it("does not apply to another session, nor to arguments its argsMatch does not match", async () => {
    const db = new InMemoryDb();
    const { agent, sent } = alerter(db, ["Osaka", "Osaka", "Kyoto", "Osaka"]);
    await approveWithGrant(agent, "s-1", { grant: { scope: "session", argsMatch: { city: "Osaka" } } });
    const otherSession = await agent.run("Alert", { sessionId: "s-2" });
    assert.equal(otherSession.status, "paused");
    otherSession.activeRequirements[0]?.reject("no");
    await agent.continueRun(otherSession);
    const kyoto = await agent.run("Alert", { sessionId: "s-1" });
    assert.equal(kyoto.status, "paused");
    kyoto.activeRequirements[0]?.reject("no");
    await agent.continueRun(kyoto);
    const osaka = await agent.run("Alert", { sessionId: "s-1" });
    assert.equal(osaka.status, "completed");
    assert.deepEqual(sent, ["Osaka", "Osaka"]);
  });

  it("stops applying when it expires", async () => {
    const db = new InMemoryDb();
    const clock = { now: 1_000_000 };
    const { agent, sent } = alerter(db, ["Osaka", "Kyoto", "Nara"], clock);
    await approveWithGrant(agent, "s-1", { grant: { scope: "user", expiresInSeconds: 60 } });
    assert.equal((await db.listGrants())[0]?.expiresAt, 1_060_000);
    clock.now += 59_000;
    assert.equal((await agent.run("Alert", { sessionId: "s-9", userId: "ana" })).status, "completed");
    clock.now += 1_000;
    assert.equal((await agent.run("Alert", { sessionId: "s-9", userId: "ana" })).status, "paused");
    assert.deepEqual(sent, ["Osaka", "Kyoto"]);
  });

  it("stops applying once revoked", async () => {
    const db = new InMemoryDb();
    const { agent } = alerter(db, ["Osaka", "Kyoto", "Nara"]);
    await approveWithGrant(agent, "s-1", { grant: { scope: "agent" } });
    assert.equal((await agent.run("Alert", { sessionId: "s-2" })).status, "completed");
    const [grant] = await db.listGrants();
    assert.equal(await db.revokeGrant(grant?.id ?? "", Date.now()), true);
    assert.equal((await agent.run("Alert", { sessionId: "s-2" })).status, "paused");
  });

  it("is refused with the approval, changing nothing, when its shape is wrong or the run has no user", async () => {
    const db = new InMemoryDb();
    const { agent } = alerter(db, ["Osaka"]);
    const paused = await agent.run("Alert", { sessionId: "s-1" });
    const requirement = paused.activeRequirements[0];
    assert.throws(() => requirement?.confirm({ grant: { scope: "everyone" as "agent" } }), /scope/);
    requirement?.confirm({ grant: { scope: "user" } });
    await assert.rejects(agent.continueRun(paused), /needs a run with a userId/);
    assert.deepEqual(await db.listGrants(), []);
    assert.equal((await agent.getRunOutput(paused.runId, "s-1"))?.status, "paused");
  });
});

describe("grants with SQLite", () => {
  let directory = "";
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "kern-grants-"));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it("survive a restart: a new SqliteDb and a new Agent apply the stored grant; decided as data too", async () => {
    const dbFile = join(directory, "kern.db");
    const first = new SqliteDb({ dbFile });
    const before = alerter(first, ["Osaka"]);
    const paused = await before.agent.run("Alert", { sessionId: "s-1" });
    const requirementId = paused.activeRequirements[0]?.id ?? "";
    await before.agent.continueRun({
      runId: paused.runId,
      sessionId: "s-1",
      decisions: [
        { requirementId, decision: { type: "confirm", grant: { scope: "session", argsMatch: { city: "Osaka" } } } },
      ],
    });
    await first.close();

    const second = new SqliteDb({ dbFile });
    const after = alerter(second, ["Osaka"]);
    const run = await after.agent.run("Alert", { sessionId: "s-1" });
    assert.equal(run.status, "completed");
    assert.deepEqual(after.sent, ["Osaka"]);
    assert.equal(run.requirements[0]?.decidedBy?.kind, "grant");
    await second.close();
  });
});

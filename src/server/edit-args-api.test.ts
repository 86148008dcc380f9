import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step, Workflow } from "../workflow/index.js";
import { call, type Json } from "./auth/auth.test-helper.js";
import { createServer, type KernServer } from "./index.js";

interface Served {
  server: KernServer;
  db: InMemoryDb;
  pinged: string[];
}

/** A server with agent Pinger and workflow checks (a step whose agent pings), both gated on `ping`. */
function served(): Served {
  const db = new InMemoryDb();
  const pinged: string[] = [];
  const makeAgent = (name: string, editableArgs: boolean) =>
    new Agent({
      name,
      db,
      model: new FakeModel([toolCall("ping", { host: "db-1" }), text("Answered.")]),
      tools: [
        tool({
          name: "ping",
          parameters: z.object({ host: z.string().regex(/^[a-z0-9-]+$/, "a host name in lower case") }),
          requiresConfirmation: true,
          editableArgs,
          execute: ({ host }) => {
            pinged.push(host);
            return `pong from ${host}`;
          },
        }),
      ],
    });
  const workflow = new Workflow({
    name: "checks",
    db,
    steps: [new Step({ name: "check", agent: makeAgent("Checker", true) })],
  });
  const server = createServer({
    workflows: [workflow],
    agents: [makeAgent("Pinger", true), makeAgent("Locked", false)],
  });
  return { server, db, pinged };
}

const post = (body: Json): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

function errorOf(body: Json): Json {
  return body["error"] as Json;
}

/** Starts a run of agent `name`; returns its continue path, session and the paused call's id. */
async function startAgent(server: KernServer, name: string) {
  const started = await call(server.app, `/api/agents/${name}/runs`, post({ input: "Is db-1 up?" }));
  assert.equal(started.status, 200);
  const [pending] = started.body["activeRequirements"] as Json[];
  return {
    path: `/api/agents/${name}/runs/${String(started.body["runId"])}/continue`,
    sessionId: started.body["sessionId"],
    runId: String(started.body["runId"]),
    requirementId: pending?.["id"],
    editableArgs: (pending?.["toolExecution"] as Json | undefined)?.["editableArgs"],
  };
}

describe("approve with edits over HTTP", () => {
  it("continues an agent run with edited arguments, and answers an invalid edit with a 422 that changes nothing", async () => {
    const { server, db, pinged } = served();
    const run = await startAgent(server, "Pinger");
    assert.equal(run.editableArgs, true);
    const before = await db.getRun("agent", run.runId);
    const edit = (args: Json) =>
      post({
        sessionId: run.sessionId,
        decisions: [{ requirementId: run.requirementId, decision: { type: "confirm", args } }],
      });

    const invalid = await call(server.app, run.path, edit({ host: "DB 2" }));
    assert.equal(invalid.status, 422);
    assert.equal(errorOf(invalid.body)["code"], "KERN_INVALID_RESOLUTION");
    assert.match(
      String(errorOf(invalid.body)["message"]),
      /edited arguments .* are invalid: host: a host name in lower case/,
    );
    const notObject = await call(server.app, run.path, edit("db-2" as unknown as Json));
    assert.equal(notObject.status, 400);
    assert.deepEqual(await db.getRun("agent", run.runId), before);

    const done = await call(server.app, run.path, edit({ host: "db-2" }));
    assert.equal(done.status, 200);
    assert.equal(done.body["status"], "completed");
    assert.deepEqual(pinged, ["db-2"]);
    const [execution] = done.body["tools"] as Json[];
    assert.deepEqual([execution?.["toolArgs"], execution?.["proposedArgs"]], [{ host: "db-2" }, { host: "db-1" }]);
  });

  it("refuses edits to a tool that forbids them with a 422, and says so in the run JSON", async () => {
    const { server, db, pinged } = served();
    const run = await startAgent(server, "Locked");
    assert.equal(run.editableArgs, false);
    const before = await db.getRun("agent", run.runId);
    const body = {
      sessionId: run.sessionId,
      decisions: [{ requirementId: run.requirementId, decision: { type: "confirm", args: { host: "db-2" } } }],
    };
    const refused = await call(server.app, run.path, post(body));
    assert.equal(refused.status, 422);
    assert.match(String(errorOf(refused.body)["message"]), /does not allow edited arguments \(editableArgs: false\)/);
    assert.deepEqual(await db.getRun("agent", run.runId), before);
    assert.deepEqual(pinged, []);
  });

  it("decides a workflow's executor pause with edited arguments, and refuses args sent under the pause's own id", async () => {
    const { server, db, pinged } = served();
    const started = await call(server.app, "/api/workflows/checks/runs", post({ input: "Is db-1 up?" }));
    const runId = String(started.body["runId"]);
    const active = started.body["activeRequirement"] as Json;
    const [paused] = active["calls"] as Array<{ requirement: Json; execution: Json }>;
    assert.equal(paused?.execution["editableArgs"], true);
    const path = `/api/workflows/checks/runs/${runId}/continue`;
    const decide = (requirementId: unknown, args: Json) =>
      post({
        sessionId: started.body["sessionId"],
        decisions: [{ requirementId, decision: { type: "confirm", args } }],
      });

    const before = await db.getRun("workflow", runId);
    const onPause = await call(server.app, path, decide(active["id"], { host: "db-2" }));
    assert.equal(onPause.status, 422);
    const invalid = await call(server.app, path, decide(paused?.requirement["id"], { host: 2 }));
    assert.equal(invalid.status, 422);
    assert.match(String(errorOf(invalid.body)["message"]), /host: Invalid input: expected string/);
    assert.deepEqual(await db.getRun("workflow", runId), before);

    const done = await call(server.app, path, decide(paused?.requirement["id"], { host: "db-3" }));
    assert.equal(done.status, 200);
    assert.equal(done.body["status"], "completed");
    assert.deepEqual(pinged, ["db-3"]);
    const [entry] = (await db.listDecisions({ runId })).map((record) => record.decision);
    assert.equal(entry, '{"args":{"host":"db-3"},"proposedArgs":{"host":"db-1"},"type":"confirm"}');
  });
});

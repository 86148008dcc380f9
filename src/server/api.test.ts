import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import { Step, Workflow } from "../workflow/index.js";
import { createServer } from "./index.js";
import {
  decide,
  decideCalls,
  field,
  type Json,
  type LiveServer,
  pingAgent,
  scenarioOne,
  startServer,
} from "./server.test-helper.js";

const RUNS = "/api/workflows/DualConfirmation/runs";

describe("kern/server JSON API over HTTP", () => {
  const db = new InMemoryDb();
  const scenario = scenarioOne(db);
  const pinger = pingAgent(db);
  let server: LiveServer;
  before(async () => {
    server = await startServer({ workflows: [scenario.workflow], agents: [pinger.agent], sweepIntervalMs: 0 });
  });
  after(async () => {
    await server?.close();
  });

  const inbox = async (query = ""): Promise<Json[]> => {
    const { status, body } = await server.get(`/api/inbox${query}`);
    assert.equal(status, 200);
    return body["requirements"] as Json[];
  };
  const continueRun = (run: Json, decisions: Json[]) =>
    server.post(`${RUNS}/${String(run["runId"])}/continue`, { sessionId: run["sessionId"], decisions });
  const getRun = async (run: Json): Promise<Json> =>
    (await server.get(`${RUNS}/${String(run["runId"])}?sessionId=${String(run["sessionId"])}`)).body;

  it("runs scenario 1 to the end with two decisions sent as JSON; the tool runs once", async () => {
    assert.deepEqual((await server.get("/api/workflows")).body, {
      workflows: [{ id: "DualConfirmation", name: "DualConfirmation", description: null }],
    });
    const started = await server.post(RUNS, { input: "Send a weather alert for Tokyo about heavy rain" });
    assert.equal(started.status, 200);
    const run = started.body;
    assert.equal(run["status"], "paused");
    assert.equal(run["pauseKind"], "step");
    assert.equal(field(run, "activeRequirement", "kind"), "confirmation");

    const listed = (await inbox()).filter((row) => row["runId"] === run["runId"]);
    assert.deepEqual(
      listed.map((row) => [row["kind"], row["requirementKind"], row["ownerId"]]),
      [["workflow", "confirmation", "DualConfirmation"]],
    );

    const second = await continueRun(run, decide(run, { type: "confirm" }));
    assert.equal(second.status, 200);
    assert.equal(second.body["pauseKind"], "executor");
    assert.equal(field(second.body, "activeRequirement", "calls", 0, "execution", "toolName"), "send_alert");
    assert.deepEqual(scenario.sent, []);
    // The agent run inside the step is not listed on its own: only the workflow can continue it.
    const rows = (await inbox()).filter((row) => row["sessionId"] === run["sessionId"]);
    assert.deepEqual(
      rows.map((row) => [row["kind"], row["requirementKind"]]),
      [["workflow", "executor"]],
    );

    const done = await continueRun(run, decideCalls(second.body, { type: "confirm" }));
    assert.equal(done.status, 200);
    assert.equal(done.body["status"], "completed");
    assert.equal(done.body["content"], "Logged: Alert sent for Tokyo.");
    assert.equal(done.body["activeRequirement"], null);
    assert.deepEqual(scenario.sent, ["Tokyo"]);
    assert.equal((await inbox()).filter((row) => row["runId"] === run["runId"]).length, 0);
    const completed = await server.get(`${RUNS}?status=completed`);
    assert.ok((completed.body["runs"] as Json[]).some((summary) => summary["runId"] === run["runId"]));
  });

  it("maps kern errors to statuses and always names them; refused calls change nothing", async () => {
    const missing = await server.get(`${RUNS}/no-such-run?sessionId=s1`);
    assert.equal(missing.status, 404);
    assert.deepEqual(
      [field(missing.body, "error", "name"), field(missing.body, "error", "code")],
      ["RunNotFoundError", "KERN_RUN_NOT_FOUND"],
    );
    assert.equal(typeof field(missing.body, "error", "message"), "string");

    const run = (await server.post(RUNS, { input: "Send a weather alert for Tokyo" })).body;
    const before = await getRun(run);
    const unresolved = await continueRun(run, []);
    assert.equal(unresolved.status, 422);
    assert.equal(field(unresolved.body, "error", "name"), "UnresolvedRequirementError");
    // The answer speaks of the JSON a client sends, not of library methods.
    assert.match(
      String(field(unresolved.body, "error", "message")),
      /send one of \{"type":"confirm"\}, \{"type":"reject","feedback":"why \(optional\)"\}/,
    );
    assert.doesNotMatch(String(field(unresolved.body, "error", "message")), /confirm\(\)/);
    assert.match(String(field(unresolved.body, "error", "missing", 0, "accepts")), /"type":"confirm"/);
    const misfit = await continueRun(run, decide(run, { type: "select", choices: ["x"] }));
    assert.equal(misfit.status, 422);
    assert.equal(field(misfit.body, "error", "name"), "InvalidResolutionError");
    assert.match(
      String(field(misfit.body, "error", "message")),
      /a decision of type "select" does not fit the confirmation pause .* send one of \{"type":"confirm"\}/,
    );
    const unknownId = await continueRun(run, [{ requirementId: "nope", decision: { type: "confirm" } }]);
    assert.equal(unknownId.status, 422);
    assert.match(String(field(unknownId.body, "error", "message")), /has no requirement 'nope'/);

    const path = `${RUNS}/${String(run["runId"])}/continue`;
    const badBodies: Array<[unknown, Record<string, string> | undefined, number]> = [
      ["{not json", undefined, 400],
      [{ decisions: [] }, undefined, 400],
      [{ sessionId: run["sessionId"], decisions: "yes" }, undefined, 400],
      [
        { sessionId: run["sessionId"], decisions: [{ requirementId: "r", decision: { type: "confirmed" } }] },
        undefined,
        400,
      ],
      [{ sessionId: run["sessionId"], stepRequirements: [] }, undefined, 400],
      [JSON.stringify({ sessionId: run["sessionId"] }), { "content-type": "text/plain" }, 415],
    ];
    for (const [body, headers, status] of badBodies) {
      const answer = await server.post(path, body, headers);
      assert.equal(answer.status, status, JSON.stringify(body));
      assert.equal(field(answer.body, "error", "name"), "RequestError");
    }
    assert.deepEqual(await getRun(run), before, "every refused continue left the stored run as it was");

    const rejection = decide(run, { type: "reject", feedback: "Not today" });
    assert.equal((await continueRun(run, rejection)).body["status"], "completed");
    const again = await continueRun(run, rejection);
    assert.equal(again.status, 409);
    assert.equal(field(again.body, "error", "name"), "RunNotPausedError");

    const noWorkflow = await server.get("/api/workflows/Nope/runs");
    assert.equal(noWorkflow.status, 404);
    assert.equal(field(noWorkflow.body, "error", "code"), "KERN_NOT_FOUND");
    assert.equal((await server.get(`${RUNS}/x`)).status, 400, "reading a run needs its sessionId");
  });

  it("cancels a paused run", async () => {
    const run = (await server.post(RUNS, { input: "Send a weather alert for Osaka" })).body;
    const cancelled = await server.post(`${RUNS}/${String(run["runId"])}/cancel`, {
      sessionId: run["sessionId"],
      reason: "Wrong city",
    });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body["status"], "cancelled");
    assert.equal(cancelled.body["cancelReason"], "Wrong city");
    assert.equal((await continueRun(run, [])).status, 409);
  });

  it("pages the inbox with nextAfter", async () => {
    for (const city of ["Kyoto", "Nara", "Kobe"])
      await server.post(RUNS, { input: `Alert ${city}`, sessionId: `paging-${city}` });
    const seen: string[] = [];
    let after: unknown = null;
    for (let page = 0; page < 10; page += 1) {
      const query: string =
        after === null
          ? "?limit=2&requirementKind=confirmation"
          : `?limit=2&requirementKind=confirmation&after=${String(after)}`;
      const { body } = await server.get(`/api/inbox${query}`);
      const rows = body["requirements"] as Json[];
      assert.ok(rows.length <= 2);
      seen.push(...rows.map((row) => String(row["sessionId"])));
      after = body["nextAfter"];
      if (after === null) break;
    }
    assert.deepEqual(
      seen.filter((id) => id.startsWith("paging-")),
      ["paging-Kyoto", "paging-Nara", "paging-Kobe"],
    );
    assert.equal(new Set(seen).size, seen.length, "no row twice");
    assert.equal((await server.get("/api/inbox?after=garbage")).status, 400);
    assert.equal((await server.get("/api/inbox?limit=0")).status, 400);
  });

  it("serves agents the same way, with the same decisions", async () => {
    const started = await server.post("/api/agents/Pinger/runs", { input: "Is db-1 up?" });
    assert.equal(started.status, 200);
    const run = started.body;
    const rows = (await inbox("?kind=agent")).filter((row) => row["runId"] === run["runId"]);
    assert.deepEqual(
      rows.map((row) => [row["ownerId"], row["requirementKind"]]),
      [["Pinger", "confirmation"]],
    );
    const pending = run["activeRequirements"] as Json[];
    assert.equal(pending.length, 1);
    const path = `/api/agents/Pinger/runs/${String(run["runId"])}/continue`;
    assert.equal((await server.post(path, { sessionId: run["sessionId"] })).status, 422);
    const decisions = pending.map((requirement) => ({
      requirementId: requirement["id"],
      decision: { type: "confirm" },
    }));
    const done = await server.post(path, { sessionId: run["sessionId"], decisions });
    assert.equal(done.body["status"], "completed");
    assert.equal(done.body["content"], "db-1 answered.");
    assert.deepEqual(pinger.pinged, ["db-1"]);
    assert.equal((await server.post(path, { sessionId: run["sessionId"], decisions })).status, 409);
    const listed = await server.get("/api/agents/Pinger/runs?status=completed");
    assert.deepEqual(
      (listed.body["runs"] as Json[]).map((summary) => summary["runId"]),
      [run["runId"]],
    );
  });

  it("serves the inbox page as one self-contained document", async () => {
    const response = await fetch(`${server.url}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/html/);
    assert.match(response.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    const html = await response.text();
    assert.doesNotMatch(html, /<(?:script|link|img)[^>]+(?:src|href)=/i, "no external assets");
    assert.doesNotMatch(html, /innerHTML/);
  });
});

describe("createServer() options", () => {
  it("refuses a server with nothing to serve, duplicate ids and a bad sweep interval", () => {
    assert.throws(() => createServer({}), { name: "ConfigurationError" });
    const { workflow } = scenarioOne();
    assert.throws(() => createServer({ workflows: [workflow, workflow] }), { name: "ConfigurationError" });
    assert.throws(() => createServer({ workflows: [workflow], sweepIntervalMs: -1 }), { name: "ConfigurationError" });
  });

  it("answers a failed run with 500, the error's name and the stored run's id", async () => {
    const failing = new Workflow({
      name: "Failing",
      steps: [
        new Step({
          name: "boom",
          executor: () => {
            throw new Error("disk full");
          },
        }),
      ],
    });
    const { app } = createServer({ workflows: [failing] });
    const post = new Request("http://kern.test/api/workflows/Failing/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ input: "go", sessionId: "s" }),
    });
    const response = await app.fetch(post);
    assert.equal(response.status, 500);
    const body = (await response.json()) as Json;
    assert.equal(field(body, "error", "name"), "StepFailedError");
    assert.match(String(field(body, "error", "message")), /disk full/);
    const stored = await app.fetch(
      new Request(`http://kern.test/api/workflows/Failing/runs/${String(field(body, "error", "runId"))}?sessionId=s`),
    );
    assert.equal(field(await stored.json(), "status"), "error");
  });

  it("answers through app.fetch without listening", async () => {
    const { app } = createServer({ workflows: [scenarioOne().workflow] });
    const response = await app.fetch(new Request("http://kern.test/api/workflows"));
    assert.equal(response.status, 200);
    const unknown = await app.fetch(new Request("http://kern.test/api/unknown"));
    assert.equal(unknown.status, 404);
    assert.equal(field(await unknown.json(), "error", "code"), "KERN_NOT_FOUND");
  });
});

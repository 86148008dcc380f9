import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import type { Principal } from "../runs/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step, Workflow } from "../workflow/index.js";
import { bearer, call, type Json } from "./auth/auth.test-helper.js";
import { createServer, hashApiKey, type KernServer } from "./index.js";

const RUNS = "/api/workflows/payables/runs";
const PEOPLE: Record<string, Principal> = {
  "key-lena": { id: "lena", roles: ["lead"] },
  "key-leo": { id: "leo", roles: ["lead"] },
  "key-lou": { id: "lou", roles: ["lead"] },
  "key-fred": { id: "fred", roles: ["finance"] },
  "key-olga": { id: "olga", roles: ["ops"] },
  "key-root": { id: "root", roles: ["kern-admin"] },
};
const SECRET = "a-decision-link-secret-of-32-bytes-or-more!";

/** The governed payables workflow behind a server with API keys for PEOPLE. */
function governedServer(): { server: KernServer; db: InMemoryDb; paid: string[] } {
  const db = new InMemoryDb();
  const paid: string[] = [];
  const pay = tool({
    name: "pay_invoice",
    parameters: z.object({ invoice: z.string() }),
    requiresConfirmation: true,
    approvers: ["finance"],
    execute: ({ invoice }) => {
      paid.push(invoice);
      return `Paid ${invoice}`;
    },
  });
  const model = new FakeModel([toolCall("pay_invoice", { invoice: "INV-7" }), text("Paid.")]);
  const agent = new Agent({ name: "Payer", model, tools: [pay], db });
  const workflow = new Workflow({
    name: "payables",
    db,
    steps: [
      new Step({
        name: "plan",
        executor: () => "pay INV-7",
        requiresConfirmation: true,
        approvers: ["lead"],
        allowSelfApproval: false,
      }),
      new Step({ name: "pay", agent }),
    ],
  });
  const apiKeys = Object.entries(PEOPLE).map(([key, principal]) => ({ sha256: hashApiKey(key), principal }));
  const server = createServer({
    workflows: [workflow],
    auth: { apiKeys },
    adminRole: "kern-admin",
    decisionLinks: { secret: SECRET },
  });
  return { server, db, paid };
}

function post(body: Json, key?: string): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...(key === undefined ? {} : bearer(key)) },
    body: JSON.stringify(body),
  };
}

const get = (key: string): RequestInit => ({ headers: bearer(key) });

function activeId(run: Json): string {
  return String((run["activeRequirement"] as Json)["id"]);
}

function callIds(run: Json): string[] {
  const calls = (run["activeRequirement"] as Json)["calls"] as Array<{ requirement: { id: string } }>;
  return calls.map((entry) => entry.requirement.id);
}

describe("kern/server with auth: who may see and decide", () => {
  it("answers anonymous requests with 401 and a Bearer challenge, storing nothing", async () => {
    const { server, db } = governedServer();
    const answer = await call(server.app, RUNS, post({ input: "Pay" }));
    assert.equal(answer.status, 401);
    assert.match(answer.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.equal((answer.body["error"] as Json)["code"], "KERN_UNAUTHENTICATED");
    assert.equal((await call(server.app, "/api/inbox")).status, 401);
    assert.deepEqual(await db.listRuns(), []);
  });

  it("starts a run as the signed-in principal and refuses another userId", async () => {
    const { server } = governedServer();
    const forged = await call(server.app, RUNS, post({ input: "Pay", userId: "fred" }, "key-lena"));
    assert.deepEqual([forged.status, (forged.body["error"] as Json)["code"]], [403, "KERN_FORBIDDEN"]);
    const run = await call(server.app, RUNS, post({ input: "Pay" }, "key-lena"));
    assert.equal(run.body["userId"], "lena");
    const byAdmin = await call(server.app, RUNS, post({ input: "Pay", userId: "fred" }, "key-root"));
    assert.equal(byAdmin.body["userId"], "fred");
  });

  it("shows runs and inbox rows only to their starter, those who may decide, and the admin role", async () => {
    const { server } = governedServer();
    const run = (await call(server.app, RUNS, post({ input: "Pay" }, "key-lena"))).body;
    const path = `${RUNS}/${String(run["runId"])}?sessionId=${String(run["sessionId"])}`;
    assert.equal((await call(server.app, path, get("key-lena"))).status, 200);
    assert.equal((await call(server.app, path, get("key-leo"))).body["mayDecide"], true);
    assert.equal((await call(server.app, path, get("key-root"))).status, 200);
    const hidden = await call(server.app, path, get("key-olga"));
    assert.deepEqual([hidden.status, (hidden.body["error"] as Json)["code"]], [404, "KERN_RUN_NOT_FOUND"]);
    const inbox = async (key: string, query = "") =>
      ((await call(server.app, `/api/inbox${query}`, get(key))).body["requirements"] as Json[]).map((row) => [
        row["runId"],
        row["mayDecide"],
      ]);
    assert.deepEqual(await inbox("key-olga"), []);
    assert.deepEqual(await inbox("key-fred"), []);
    assert.deepEqual(await inbox("key-leo"), [[run["runId"], true]]);
    // The starter sees her run's gate, but may not decide it (allowSelfApproval: false).
    assert.deepEqual(await inbox("key-lena"), [[run["runId"], false]]);
    assert.deepEqual(await inbox("key-lena", "?decidable=1"), []);
    const listed = (key: string) =>
      call(server.app, RUNS, get(key)).then((answer) => (answer.body["runs"] as Json[]).map((row) => row["runId"]));
    assert.deepEqual(await listed("key-lena"), [run["runId"]]);
    assert.deepEqual(await listed("key-olga"), []);
    assert.deepEqual(await listed("key-root"), [run["runId"]]);
  });

  it("answers a decision by someone not allowed with 403, the run unchanged; the actor is the signed-in principal", async () => {
    const { server, db, paid } = governedServer();
    const run = (await call(server.app, RUNS, post({ input: "Pay" }, "key-lena"))).body;
    const url = `${RUNS}/${String(run["runId"])}/continue`;
    const decisions = [{ requirementId: activeId(run), decision: { type: "confirm" } }];
    const before = await db.getRun("workflow", String(run["runId"]));
    const self = await call(server.app, url, post({ sessionId: run["sessionId"], decisions }, "key-lena"));
    assert.deepEqual([self.status, (self.body["error"] as Json)["code"]], [403, "KERN_NOT_AUTHORIZED"]);
    assert.match(String((self.body["error"] as Json)["message"]), /may not approve its own gate/);
    assert.deepEqual(await db.getRun("workflow", String(run["runId"])), before);
    const paused = (await call(server.app, url, post({ sessionId: run["sessionId"], decisions }, "key-leo"))).body;
    assert.equal(paused["pauseKind"], "executor");
    const pay = callIds(paused).map((requirementId) => ({ requirementId, decision: { type: "confirm" } }));
    // The starter sees the run but may not approve the payment; leo, whose gate is behind it, no longer sees it.
    const wrong = await call(server.app, url, post({ sessionId: run["sessionId"], decisions: pay }, "key-lena"));
    assert.deepEqual([wrong.status, (wrong.body["error"] as Json)["code"]], [403, "KERN_NOT_AUTHORIZED"]);
    const gone = await call(server.app, url, post({ sessionId: run["sessionId"], decisions: pay }, "key-leo"));
    assert.equal(gone.status, 404);
    const done = (await call(server.app, url, post({ sessionId: run["sessionId"], decisions: pay }, "key-fred"))).body;
    assert.equal(done["status"], "completed");
    assert.deepEqual(paid, ["INV-7"]);
    const entries = (
      await call(server.app, `/api/decisions?runId=${String(run["runId"])}&kind=workflow`, get("key-lena"))
    ).body["decisions"] as Json[];
    assert.deepEqual(
      entries.map((entry) => [entry["actorId"], entry["actorRoles"], entry["gateKind"]]),
      [
        ["leo", ["lead"], "confirmation"],
        ["fred", ["finance"], "confirmation"],
      ],
    );
    for (const entry of entries) assert.match(String(entry["shownDigest"]), /^[0-9a-f]{64}$/);
    // Without a runId a principal lists their own decisions; the admin role lists everyone's.
    const own = (await call(server.app, "/api/decisions", get("key-fred"))).body["decisions"] as Json[];
    assert.deepEqual(
      own.map((entry) => entry["actorId"]),
      ["fred"],
    );
    assert.equal(((await call(server.app, "/api/decisions", get("key-root"))).body["decisions"] as Json[]).length, 2);
    const verdict = await call(
      server.app,
      `/api/decisions/verify?kind=workflow&runId=${String(run["runId"])}`,
      get("key-root"),
    );
    assert.deepEqual([verdict.body["ok"], verdict.body["entries"]], [true, 2]);
    const other = await call(server.app, `/api/decisions?runId=${String(run["runId"])}&kind=workflow`, get("key-olga"));
    assert.equal(other.status, 404);
  });
});

describe("a decision that lost the race over HTTP", () => {
  it("tells the loser who decided first with 409, though the run moved on to a gate the loser may not see", async () => {
    const { server, db } = governedServer();
    const run = (await call(server.app, RUNS, post({ input: "Pay" }, "key-lena"))).body;
    const url = `${RUNS}/${String(run["runId"])}/continue`;
    const body = {
      sessionId: run["sessionId"],
      decisions: [{ requirementId: activeId(run), decision: { type: "confirm" } }],
    };
    assert.equal((await call(server.app, url, post(body, "key-leo"))).status, 200);
    const before = await db.getRun("workflow", String(run["runId"]));
    const late = await call(server.app, url, post(body, "key-lou"));
    assert.deepEqual([late.status, (late.body["error"] as Json)["code"]], [409, "KERN_REQUIREMENT_RESOLVED"]);
    assert.match(String((late.body["error"] as Json)["message"]), /already decided by leo \(lead\) at \d{4}-/);
    assert.deepEqual(await db.getRun("workflow", String(run["runId"])), before);
    // Someone who could never have decided that gate still learns nothing about the run.
    const stranger = await call(server.app, url, post(body, "key-olga"));
    assert.equal(stranger.status, 404);
  });
});

describe("signed one-time decision links", () => {
  async function linked(
    server: KernServer,
    approver: Principal,
    expiresInSeconds?: number,
  ): Promise<{ run: Json; token: string }> {
    const run = (await call(server.app, RUNS, post({ input: "Pay" }, "key-lena"))).body;
    const issued = await call(
      server.app,
      "/api/decisions/links",
      post(
        {
          kind: "workflow",
          ownerId: "payables",
          runId: run["runId"],
          sessionId: run["sessionId"],
          requirementId: activeId(run),
          approver,
          ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }),
        },
        "key-root",
      ),
    );
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    return { run, token: String(issued.body["token"]) };
  }

  it("applies a link's decision once as its approver, records the link, and answers a replay with 409", async () => {
    const { server, db } = governedServer();
    const { run, token } = await linked(server, { id: "leo", roles: ["lead"] });
    const used = await call(server.app, `/api/decisions/${token}`, post({ decision: { type: "confirm" } }));
    assert.equal(used.status, 200, JSON.stringify(used.body));
    assert.equal(used.body["pauseKind"], "executor");
    const [entry] = await db.listDecisions({ runId: String(run["runId"]) });
    assert.equal(entry?.actorId, "leo");
    assert.match(entry?.linkId ?? "", /.+/);
    const replay = await call(server.app, `/api/decisions/${token}`, post({ decision: { type: "confirm" } }));
    assert.deepEqual([replay.status, (replay.body["error"] as Json)["code"]], [409, "KERN_REQUIREMENT_RESOLVED"]);
    assert.match(String((replay.body["error"] as Json)["message"]), /already decided by leo \(lead\)/);
    assert.equal((await db.listDecisions()).length, 1);
  });

  it("answers a tampered link with 401 and an expired one with 410, deciding nothing", async () => {
    const { server, db } = governedServer();
    const { token } = await linked(server, { id: "leo", roles: ["lead"] });
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Json;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "lena" })).toString("base64url");
    const tampered = await call(
      server.app,
      `/api/decisions/${header}.${forged}.${signature}`,
      post({ decision: { type: "confirm" } }),
    );
    assert.deepEqual([tampered.status, (tampered.body["error"] as Json)["code"]], [401, "KERN_LINK_INVALID"]);
    const short = await linked(server, { id: "leo", roles: ["lead"] }, 1);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const expired = await call(server.app, `/api/decisions/${short.token}`, post({ decision: { type: "confirm" } }));
    assert.deepEqual([expired.status, (expired.body["error"] as Json)["code"]], [410, "KERN_LINK_EXPIRED"]);
    assert.deepEqual(await db.listDecisions(), []);
  });

  it("refuses a link for someone the gate does not allow with 403, and one used by another signed-in principal", async () => {
    const { server, db } = governedServer();
    const { token } = await linked(server, { id: "olga", roles: ["ops"] });
    const refused = await call(server.app, `/api/decisions/${token}`, post({ decision: { type: "confirm" } }));
    assert.deepEqual([refused.status, (refused.body["error"] as Json)["code"]], [403, "KERN_NOT_AUTHORIZED"]);
    const other = await linked(server, { id: "leo", roles: ["lead"] });
    const wrongHands = await call(
      server.app,
      `/api/decisions/${other.token}`,
      post({ decision: { type: "confirm" } }, "key-fred"),
    );
    assert.equal(wrongHands.status, 403);
    assert.deepEqual(await db.listDecisions(), []);
    const issuedByOthers = await call(server.app, "/api/decisions/links", post({}, "key-leo"));
    assert.equal(issuedByOthers.status, 403);
  });
});

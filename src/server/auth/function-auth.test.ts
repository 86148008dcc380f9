import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PendingFilter, PendingRequirementRow } from "../../db/index.js";
import { InMemoryDb } from "../../db/memory/index.js";
import { StoreError } from "../../errors.js";
import type { Principal } from "../../runs/index.js";
import { createServer, type ServerAuth } from "../index.js";
import { call, echoWorkflow, RUNS, startRun, withWhoAmI } from "./auth.test-helper.js";

/** Signs in whoever sends `x-test-user` (as a proxy in front might), asynchronously. */
async function byHeader(request: Request): Promise<Principal | null> {
  await new Promise((resolve) => setImmediate(resolve));
  const user = request.headers.get("x-test-user");
  return user === null ? null : { id: user, roles: user === "root" ? ["admin"] : [] };
}

describe("auth as a function of the request", () => {
  it("signs in whom the function names and answers 401 when it returns null; nothing runs then", async () => {
    const { workflow, executed } = echoWorkflow();
    const app = withWhoAmI(createServer({ workflows: [workflow], sweepIntervalMs: 0, auth: byHeader }).app);

    const anonymous = await call(app, RUNS, startRun());
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get("www-authenticate"), 'Bearer realm="kern"');
    assert.equal((anonymous.body["error"] as Record<string, unknown>)["code"], "KERN_UNAUTHENTICATED");
    assert.equal((await call(app, "/api/inbox")).status, 401);
    assert.deepEqual(executed, []);
    assert.deepEqual(await workflow.listRuns(), []);

    const started = await call(app, RUNS, startRun("hi", { "x-test-user": "carol" }));
    assert.equal(started.status, 200);
    assert.deepEqual(executed, ["hi"]);
    assert.deepEqual((await call(app, "/api/test/whoami", { headers: { "x-test-user": "root" } })).body, {
      principal: { id: "root", roles: ["admin"] },
    });
  });

  it("without auth, routes see no principal (the library records code as the actor)", async () => {
    const { workflow } = echoWorkflow();
    const app = withWhoAmI(createServer({ workflows: [workflow], sweepIntervalMs: 0 }).app);
    const answer = await call(app, "/api/test/whoami");
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { principal: null });
  });

  it("answers a failing auth function with a generic 500 and logs the stack; no path, host or stack reaches the client", async () => {
    const { workflow, executed } = echoWorkflow();
    const logged: string[] = [];
    const failing = (): Principal => {
      throw new Error("ENOENT: no such file /srv/kern/secrets/users.json on auth.internal.example:8443");
    };
    const { app } = createServer({
      workflows: [workflow],
      sweepIntervalMs: 0,
      auth: failing,
      log: (line) => logged.push(line),
    });
    const answer = await call(app, RUNS, startRun());
    assert.equal(answer.status, 500);
    const text = JSON.stringify(answer.body);
    assert.doesNotMatch(text, /\/srv|auth\.internal|ENOENT|\bat \S+ \(|\.ts:\d+/);
    assert.equal((answer.body["error"] as Record<string, unknown>)["code"], "KERN_UNEXPECTED");
    assert.match(String((answer.body["error"] as Record<string, unknown>)["message"]), /details are in its log/);
    assert.equal(logged.length, 1);
    assert.match(
      logged[0] ?? "",
      /POST \/api\/workflows\/Echo\/runs failed: Error: ENOENT.*\/srv\/kern[\s\S]*\n\s+at /,
    );
    assert.deepEqual(executed, []);
  });

  it("answers a failing database with a generic message, never its address", async () => {
    class DownDb extends InMemoryDb {
      override async listPendingRequirements(_filter?: PendingFilter): Promise<PendingRequirementRow[]> {
        throw new StoreError("connect ECONNREFUSED 10.20.30.40:5432 (db.internal.example)");
      }
    }
    const { workflow } = echoWorkflow();
    const logged: string[] = [];
    const { app } = createServer({ workflows: [workflow], db: new DownDb(), log: (line) => logged.push(line) });
    const answer = await call(app, "/api/inbox");
    assert.equal(answer.status, 500);
    assert.doesNotMatch(JSON.stringify(answer.body), /10\.20\.30\.40|db\.internal|ECONNREFUSED/);
    assert.match(logged.join("\n"), /ECONNREFUSED 10\.20\.30\.40/);
  });

  it("refuses an auth that is neither keys, a JWT nor a function when the server is created", () => {
    const { workflow } = echoWorkflow();
    const wrong = { apiKey: "k3rn" } as unknown as ServerAuth;
    assert.throws(() => createServer({ workflows: [workflow], auth: wrong }), {
      name: "ConfigurationError",
      message: /auth must be \{ apiKeys/,
    });
  });
});

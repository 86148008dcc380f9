import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createServer, hashApiKey } from "../index.js";
import { bearer, call, echoWorkflow, RUNS, startRun, withWhoAmI } from "./auth.test-helper.js";

const KEY = "k3rn-test-key-0123456789abcdefghijklmnop";
const OTHER_KEY = "k3rn-test-key-for-the-deploy-bot-9876543";

function keyServer() {
  const echo = echoWorkflow();
  const server = createServer({
    workflows: [echo.workflow],
    sweepIntervalMs: 0,
    auth: {
      apiKeys: [
        { sha256: hashApiKey(KEY), principal: { id: "alice", roles: ["approver"], name: "Alice" } },
        { sha256: hashApiKey(OTHER_KEY).toUpperCase(), principal: { id: "deploy-bot" } },
      ],
    },
  });
  return { ...echo, app: withWhoAmI(server.app) };
}

describe("auth: { apiKeys }", () => {
  it("hashApiKey is the hex SHA-256 of the key", () => {
    assert.equal(hashApiKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(hashApiKey(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("answers anonymous requests to runs and the inbox with 401 and a Bearer challenge; nothing runs", async () => {
    const { app, workflow, executed } = keyServer();
    for (const [path, init] of [
      [RUNS, startRun()],
      [RUNS, {}],
      ["/api/inbox", {}],
      ["/api/workflows", {}],
      ["/api/no-such-endpoint", {}],
    ] as const) {
      const answer = await call(app, path, init);
      assert.equal(answer.status, 401, `${path} without a key`);
      assert.equal(answer.headers.get("www-authenticate"), 'Bearer realm="kern"');
      assert.deepEqual(Object.keys(answer.body), ["error"]);
      assert.equal((answer.body["error"] as Record<string, unknown>)["code"], "KERN_UNAUTHENTICATED");
      assert.equal((answer.body["error"] as Record<string, unknown>)["name"], "NotAuthenticatedError");
    }
    assert.deepEqual(executed, []);
    assert.deepEqual(await workflow.listRuns(), []);
  });

  it("accepts a listed key and hands its principal to the routes", async () => {
    const { app, workflow, executed } = keyServer();
    const started = await call(app, RUNS, startRun("hi", bearer(KEY)));
    assert.equal(started.status, 200);
    assert.equal(started.body["status"], "completed");
    assert.deepEqual(executed, ["hi"]);
    assert.equal((await workflow.listRuns()).length, 1);
    assert.equal((await call(app, "/api/inbox", { headers: bearer(KEY) })).status, 200);
    assert.deepEqual((await call(app, "/api/test/whoami", { headers: bearer(KEY) })).body, {
      principal: { id: "alice", roles: ["approver"], name: "Alice" },
    });
    // A hash given in upper case works too.
    assert.deepEqual((await call(app, "/api/test/whoami", { headers: bearer(OTHER_KEY) })).body, {
      principal: { id: "deploy-bot" },
    });
  });

  it("refuses an unknown key, the hash itself as the key and a header that is not Bearer, with 401", async () => {
    const { app, workflow } = keyServer();
    for (const authorization of [
      `Bearer ${KEY}x`,
      `Bearer ${hashApiKey(KEY)}`,
      `Basic ${Buffer.from(`alice:${KEY}`).toString("base64")}`,
      "Bearer",
      `Bearer ${KEY} extra`,
    ]) {
      const answer = await call(app, RUNS, startRun("x", { authorization }));
      assert.equal(answer.status, 401, authorization);
      assert.match(answer.headers.get("www-authenticate") ?? "", /^Bearer realm="kern"/);
      assert.equal((answer.body["error"] as Record<string, unknown>)["code"], "KERN_UNAUTHENTICATED");
      assert.doesNotMatch(JSON.stringify(answer.body), /alice|approver|deploy-bot|[0-9a-f]{64}/);
    }
    assert.deepEqual(await workflow.listRuns(), []);
  });

  it("keeps GET /api/openapi.json and the inbox page public; they hold no data", async () => {
    const { app } = keyServer();
    const document = await call(app, "/api/openapi.json");
    assert.equal(document.status, 200);
    assert.equal(typeof document.body["openapi"], "string");
    const page = await app.fetch(new Request("http://localhost/"));
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
  });

  it("refuses keys given in the clear, an empty list and a key listed twice, when the server is created", () => {
    const { workflow } = echoWorkflow();
    const principal = { id: "alice" };
    for (const apiKeys of [
      [{ sha256: KEY, principal }],
      [],
      [{ sha256: hashApiKey(KEY), principal: { id: "" } }],
      [
        { sha256: hashApiKey(KEY), principal },
        { sha256: hashApiKey(KEY), principal: { id: "bob" } },
      ],
    ]) {
      assert.throws(() => createServer({ workflows: [workflow], auth: { apiKeys } }), { name: "ConfigurationError" });
    }
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { call, echoWorkflow, RUNS, startRun } from "./auth/auth.test-helper.js";
import { rawRequest } from "./hardening.test-helper.js";
import { createServer, hashApiKey } from "./index.js";

const TEN_MB = 10 * 1024 * 1024;
const KEY = "k3rn-hardening-test-key-0123456789abcdef";
const json = { "content-type": "application/json" };

describe("Host allow-list", () => {
  it("a server on loopback answers loopback names only; a foreign Host gets 403 and changes nothing", async () => {
    const { workflow, executed } = echoWorkflow();
    const { url, close } = await createServer({ workflows: [workflow], sweepIntervalMs: 0 }).start({ port: 0 });
    try {
      const port = new URL(url).port;
      const body = JSON.stringify({ input: "hi" });
      for (const host of [
        "attacker.example",
        `attacker.example:${port}`,
        "kern.127.0.0.1.nip.io",
        "localhost.attacker.example",
      ]) {
        const answer = await rawRequest(url, {
          method: "POST",
          path: RUNS,
          headers: { ...json, host },
          prefix: body,
          chunks: 0,
        });
        assert.equal(answer.status, 403, host);
        assert.equal((answer.body["error"] as Record<string, unknown>)["code"], "KERN_FORBIDDEN_HOST");
        assert.equal((await rawRequest(url, { path: "/api/inbox", headers: { host } })).status, 403);
      }
      assert.deepEqual(executed, []);
      assert.deepEqual(await workflow.listRuns(), []);
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "LOCALHOST"]) {
        assert.equal((await rawRequest(url, { path: "/api/inbox", headers: { host } })).status, 200, host);
      }
    } finally {
      await close();
    }
  });

  it("with allowedHosts, answers those names only, also without listening", async () => {
    const { workflow } = echoWorkflow();
    const { app } = createServer({
      workflows: [workflow],
      allowedHosts: ["kern.example.com", "inbox.example.com:8443"],
    });
    assert.equal((await call(app, "http://kern.example.com/api/inbox")).status, 200);
    assert.equal((await call(app, "http://KERN.example.com:3000/api/inbox")).status, 200);
    assert.equal((await call(app, "https://inbox.example.com:8443/api/inbox")).status, 200);
    assert.equal((await call(app, "https://inbox.example.com/api/inbox")).status, 403);
    assert.equal((await call(app, "http://localhost/api/inbox")).status, 403);
    assert.equal((await call(app, "http://kern.example.com.attacker.example/api/inbox")).status, 403);
  });
});

describe("Origin check", () => {
  it("refuses a POST from another web origin with 403 and stores nothing; its own origin and allowedOrigins pass", async () => {
    const { workflow, executed } = echoWorkflow();
    const { app } = createServer({ workflows: [workflow], allowedOrigins: ["https://console.example.com"] });
    for (const origin of [
      "https://evil.example",
      "null",
      "http://localhost.evil.example",
      "https://console.example.com:444",
    ]) {
      const answer = await call(app, RUNS, startRun("x", { origin }));
      assert.equal(answer.status, 403, origin);
      assert.equal((answer.body["error"] as Record<string, unknown>)["code"], "KERN_FORBIDDEN_ORIGIN");
    }
    assert.deepEqual(executed, []);
    assert.deepEqual(await workflow.listRuns(), []);
    assert.equal((await call(app, RUNS, startRun("same", { origin: "http://localhost" }))).status, 200);
    assert.equal((await call(app, RUNS, startRun("console", { origin: "https://console.example.com" }))).status, 200);
    assert.equal((await call(app, RUNS, startRun("curl"))).status, 200);
    assert.deepEqual(executed, ["same", "console", "curl"]);
    // Reads are not refused: a browser does not let the other page read the answer (no CORS headers).
    assert.equal((await call(app, RUNS, { headers: { origin: "https://evil.example" } })).status, 200);
  });

  it("passes a same-origin POST on a listening server", async () => {
    const { workflow, executed } = echoWorkflow();
    const { url, close } = await createServer({ workflows: [workflow], sweepIntervalMs: 0 }).start({ port: 0 });
    try {
      const same = await fetch(url + RUNS, { ...startRun("page"), headers: { ...json, origin: url } });
      assert.equal(same.status, 200);
      const foreign = await fetch(url + RUNS, {
        ...startRun("evil"),
        headers: { ...json, origin: "http://127.0.0.1:1" },
      });
      assert.equal(foreign.status, 403);
      assert.deepEqual(executed, ["page"]);
    } finally {
      await close();
    }
  });
});

describe("body limit", { timeout: 30_000 }, () => {
  it("answers a 10 MB body with 413, with and without Content-Length; nothing runs or is stored", async () => {
    const { workflow, db, executed } = echoWorkflow();
    const { url, close } = await createServer({ workflows: [workflow], sweepIntervalMs: 0 }).start({ port: 0 });
    try {
      const sized = await fetch(url + RUNS, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ input: "a".repeat(TEN_MB) }),
      });
      assert.equal(sized.status, 413);
      assert.equal(((await sized.json()) as { error: { code: string } }).error.code, "KERN_PAYLOAD_TOO_LARGE");

      const streamed = await rawRequest(url, {
        method: "POST",
        path: RUNS,
        headers: { ...json, "transfer-encoding": "chunked" },
        prefix: '{"input":"',
        chunks: TEN_MB / (64 * 1024),
      });
      assert.equal(streamed.status, 413);
      assert.equal((streamed.body["error"] as Record<string, unknown>)["code"], "KERN_PAYLOAD_TOO_LARGE");
      assert.equal(streamed.headers["cache-control"], "no-store");

      assert.deepEqual(executed, []);
      assert.deepEqual(await db.listRuns(), []);
      // The server still answers on the same port afterwards.
      assert.equal((await fetch(`${url}/api/inbox`)).status, 200);
    } finally {
      await close();
    }
  });

  it("takes bodyLimitBytes: a body at the limit passes, one byte more does not, streamed or not", async () => {
    const { workflow, executed } = echoWorkflow();
    const body = JSON.stringify({ input: "x".repeat(100) });
    const { app } = createServer({ workflows: [workflow], bodyLimitBytes: body.length });
    assert.equal((await call(app, RUNS, { method: "POST", headers: json, body })).status, 200);
    const over = JSON.stringify({ input: "x".repeat(101) });
    assert.equal((await call(app, RUNS, { method: "POST", headers: json, body: over })).status, 413);
    const stream = new Blob([over]).stream();
    const streamed = await call(app, RUNS, {
      method: "POST",
      headers: json,
      body: stream,
      duplex: "half",
    } as RequestInit);
    assert.equal(streamed.status, 413);
    assert.equal(executed.length, 1);
    assert.throws(() => createServer({ workflows: [workflow], bodyLimitBytes: 0 }), { name: "ConfigurationError" });
  });
});

describe("start() on a network address", () => {
  it("refuses 0.0.0.0 without auth, explaining the fix; listens with insecure: true", async () => {
    const { workflow } = echoWorkflow();
    await assert.rejects(createServer({ workflows: [workflow] }).start({ hostname: "0.0.0.0", port: 0 }), {
      name: "ConfigurationError",
      message: /approve tool calls.*createServer\(\{ auth \}\).*insecure: true/s,
    });
    const logged: string[] = [];
    const open = createServer({
      workflows: [workflow],
      insecure: true,
      sweepIntervalMs: 0,
      log: (line) => logged.push(line),
    });
    const { url, close } = await open.start({ hostname: "0.0.0.0", port: 0 });
    try {
      assert.match(url, /^http:\/\/0\.0\.0\.0:\d+$/);
      const port = new URL(url).port;
      // Behind a proxy, any Host is accepted (the proxy decides).
      const answer = await rawRequest(`http://127.0.0.1:${port}`, {
        path: "/api/inbox",
        headers: { host: "kern.example.com" },
      });
      assert.equal(answer.status, 200);
      assert.match(logged.join("\n"), /without auth \(insecure: true\)/);
    } finally {
      await close();
    }
  });

  it("with auth, needs allowedHosts, then answers those names only", async () => {
    const { workflow } = echoWorkflow();
    const auth = { apiKeys: [{ sha256: hashApiKey(KEY), principal: { id: "ops" } }] };
    await assert.rejects(createServer({ workflows: [workflow], auth }).start({ hostname: "0.0.0.0", port: 0 }), {
      name: "ConfigurationError",
      message: /allowedHosts/,
    });
    const server = createServer({
      workflows: [workflow],
      auth,
      allowedHosts: ["kern.example.com"],
      sweepIntervalMs: 0,
    });
    const { url, close } = await server.start({ hostname: "0.0.0.0", port: 0 });
    try {
      const local = `http://127.0.0.1:${new URL(url).port}`;
      const headers = { host: "kern.example.com", authorization: `Bearer ${KEY}` };
      assert.equal((await rawRequest(local, { path: "/api/inbox", headers })).status, 200);
      assert.equal(
        (await rawRequest(local, { path: "/api/inbox", headers: { host: "kern.example.com" } })).status,
        401,
      );
      assert.equal(
        (await rawRequest(local, { path: "/api/inbox", headers: { ...headers, host: "127.0.0.1" } })).status,
        403,
      );
    } finally {
      await close();
    }
  });

  it("refuses malformed allowedHosts and allowedOrigins when the server is created", () => {
    const { workflow } = echoWorkflow();
    assert.throws(() => createServer({ workflows: [workflow], allowedHosts: ["https://kern.example.com/"] }), {
      name: "ConfigurationError",
    });
    for (const origin of ["*", "console.example.com", "https://console.example.com/app"])
      assert.throws(() => createServer({ workflows: [workflow], allowedOrigins: [origin] }), {
        name: "ConfigurationError",
      });
  });
});

describe("response headers", () => {
  it("every /api answer carries Cache-Control: no-store and nosniff, errors included", async () => {
    const { workflow } = echoWorkflow();
    const { app } = createServer({ workflows: [workflow] });
    const keyed = createServer({
      workflows: [workflow],
      auth: { apiKeys: [{ sha256: hashApiKey(KEY), principal: { id: "a" } }] },
    });
    const answers = [
      await call(app, "/api/inbox"),
      await call(app, RUNS, startRun()),
      await call(app, "/api/nothing-here"),
      await call(app, RUNS, startRun("x", { origin: "https://evil.example" })),
      await call(keyed.app, "/api/inbox"),
      await call(app, "/api/openapi.json"),
    ];
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [200, 200, 404, 403, 401, 200],
    );
    for (const answer of answers) {
      assert.equal(answer.headers.get("cache-control"), "no-store");
      assert.equal(answer.headers.get("x-content-type-options"), "nosniff");
    }
    const page = await app.fetch(new Request("http://localhost/"));
    assert.equal(page.headers.get("x-content-type-options"), "nosniff");
    assert.equal(page.headers.get("x-frame-options"), "SAMEORIGIN");
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'none'/);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import { createServer } from "./index.js";
import { pingAgent, scenarioOne } from "./server.test-helper.js";

type Json = Record<string, unknown>;

/** The object at `keys` below `value`; fails the test, naming the path, where there is none. */
function at(value: Json, ...keys: string[]): Json {
  let current: unknown = value;
  for (const [index, key] of keys.entries()) {
    assert.ok(
      typeof current === "object" && current !== null && key in current,
      `no ${keys.slice(0, index + 1).join(" > ")}`,
    );
    current = (current as Json)[key];
  }
  assert.ok(typeof current === "object" && current !== null, `${keys.join(" > ")} is not an object`);
  return current as Json;
}

describe("GET /api/openapi.json", () => {
  const db = new InMemoryDb();
  const { app } = createServer({
    workflows: [scenarioOne(db).workflow],
    agents: [pingAgent(db).agent],
    sweepIntervalMs: 0,
  });

  it("describes every API route the server has, and nothing else", async () => {
    const response = await app.request("/api/openapi.json");
    assert.equal(response.status, 200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Json> };
    assert.equal(document.openapi, "3.1.0");
    const documented = Object.entries(document.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const served = app.routes
      .filter((route) => route.path.startsWith("/api/") && route.path !== "/api/openapi.json" && route.method !== "ALL")
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, "{$1}").replace(/\/$/, "")}`);
    assert.deepEqual([...new Set(served)].sort(), documented);
  });

  it("gives the continue body the decisions the server validates, one variant per decision type", async () => {
    const document = (await (await app.request("/api/openapi.json")).json()) as Json;
    const bodyOf = (path: string): Json =>
      at(document, "paths", path, "post", "requestBody", "content", "application/json", "schema");
    const decisionTypes = (body: Json): unknown[] => {
      const decision = at(body, "properties", "decisions", "items", "properties", "decision");
      const variants = (decision["oneOf"] ?? decision["anyOf"]) as Json[];
      return variants.map((variant) => at(variant, "properties", "type")["const"]).sort();
    };
    const workflowBody = bodyOf("/api/workflows/{workflowId}/runs/{runId}/continue");
    assert.deepEqual(workflowBody["required"], ["sessionId"]);
    assert.equal(workflowBody["additionalProperties"], false, "unknown keys are refused, as the server refuses them");
    assert.deepEqual(decisionTypes(workflowBody), [
      "confirm",
      "edit",
      "input",
      "reject",
      "result",
      "retry",
      "select",
      "skip",
      "timeout",
    ]);
    assert.deepEqual(decisionTypes(bodyOf("/api/agents/{agentId}/runs/{runId}/continue")), [
      "confirm",
      "input",
      "reject",
      "result",
    ]);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import { createServer } from "./index.js";
import { pingAgent, scenarioOne } from "./server.test-helper.js";

type Json = Record<string, unknown>;

describe("GET /api/openapi.json", () => {
  const db = new InMemoryDb();
  const { app } = createServer({ workflows: [scenarioOne(db).workflow], agents: [pingAgent(db).agent], sweepIntervalMs: 0 });

  it("describes every API route the server has, and nothing else", async () => {
    const response = await app.request("/api/openapi.json");
    assert.equal(response.status, 200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Json> };
    assert.equal(document.openapi, "3.1.0");
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`)).sort();
    const served = app.routes
      .filter((route) => route.path.startsWith("/api/") && route.path !== "/api/openapi.json" && route.method !== "ALL")
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, "{$1}").replace(/\/$/, "")}`);
    assert.deepEqual([...new Set(served)].sort(), documented);
  });

  it("gives the continue body the decisions the server validates, one variant per decision type", async () => {
    const document = (await (await app.request("/api/openapi.json")).json()) as { paths: Record<string, Record<string, Json>> };
    const body = (document.paths["/api/workflows/{workflowId}/runs/{runId}/continue"]?.["post"]?.["requestBody"] as Json | undefined)?.["content"] as Record<string, { schema: Json }>;
    const schema = body["application/json"]?.schema ?? {};
    assert.deepEqual(schema["required"], ["sessionId"]);
    assert.equal(schema["additionalProperties"], false, "unknown keys are refused, as the server refuses them");
    const decision = (((schema["properties"] as Json)["decisions"] as Json)["items"] as Json)["properties"] as Json;
    const variants = ((decision["decision"] as Json)["oneOf"] ?? (decision["decision"] as Json)["anyOf"]) as Json[];
    const types = variants.map((variant) => ((variant["properties"] as Json)["type"] as Json)["const"]).sort();
    assert.deepEqual(types, ["confirm", "edit", "input", "reject", "result", "retry", "select", "skip", "timeout"]);
    const agentBody = (document.paths["/api/agents/{agentId}/runs/{runId}/continue"]?.["post"]?.["requestBody"] as Json)["content"] as Record<string, { schema: Json }>;
    const agentDecision = ((((agentBody["application/json"]?.schema["properties"] as Json)["decisions"] as Json)["items"] as Json)["properties"] as Json)["decision"] as Json;
    const agentTypes = ((agentDecision["oneOf"] ?? agentDecision["anyOf"]) as Json[]).map((variant) => ((variant["properties"] as Json)["type"] as Json)["const"]).sort();
    assert.deepEqual(agentTypes, ["confirm", "input", "reject", "result"]);
  });
});

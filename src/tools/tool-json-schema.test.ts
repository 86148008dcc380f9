import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { type JsonSchemaToolDefinition, tool } from "./index.js";

const schema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: { city: { type: "string" }, days: { type: "integer" } },
  required: ["city"],
};
const context = { runId: "r", sessionId: "s", toolCallId: "c", agentName: "a", signal: undefined };

describe("tool() with a JSON Schema inputSchema", () => {
  it("shows the model the schema as given (no dialect), outside strict mode, and runs with the arguments", async () => {
    const forecast = tool({
      name: "forecast",
      description: "Forecast for a city.",
      inputSchema: schema,
      origin: "mcp:weather",
      execute: (args) => ({ city: args["city"], days: args["days"] ?? 1 }),
    });
    const { $schema: _dialect, ...withoutDialect } = schema;
    assert.deepEqual(forecast.modelSpec(), {
      name: "forecast",
      description: "Forecast for a city.",
      parameters: withoutDialect,
      strict: false,
    });
    assert.equal(forecast.origin, "mcp:weather");
    assert.equal(forecast.definitionDigest, undefined);
    assert.equal(await forecast.run({ city: "Oslo" }, context), '{"city":"Oslo","days":1}');
  });

  it("checks the top level by itself, and uses validate when given", () => {
    const plain = tool({ name: "forecast", inputSchema: schema, execute: () => "" });
    assert.deepEqual(plain.checkArguments({ city: "Oslo" }), { ok: true, value: { city: "Oslo" } });
    assert.deepEqual(plain.checkArguments({ days: 2 }), { ok: false, problem: "'city' is required" });
    assert.equal(plain.checkArguments({ city: 7 }).ok, false);
    assert.equal(plain.checkArguments(["Oslo"]).ok, false);
    const seen: unknown[] = [];
    const validated = tool({
      name: "forecast",
      inputSchema: schema,
      validate: (args) => {
        seen.push(args);
        return args["city"] === "Atlantis" ? "city: no such city" : null;
      },
      execute: () => "",
    });
    assert.deepEqual(validated.checkArguments({ city: "Atlantis" }), { ok: false, problem: "city: no such city" });
    assert.equal(validated.checkArguments({ city: "Oslo" }).ok, true);
    assert.deepEqual(seen, [{ city: "Atlantis" }, { city: "Oslo" }]);
  });

  it("refuses zod-only options, a schema that is not an object's, and a bad origin or hook", () => {
    const base = { name: "forecast", inputSchema: schema, execute: () => "" };
    const loose = (extra: Record<string, unknown>) => ({ ...base, ...extra }) as JsonSchemaToolDefinition;
    assert.throws(() => tool(loose({ parameters: z.object({}) })), {
      name: "ConfigurationError",
      message: /does not support 'parameters' \(with inputSchema; parameters takes a zod object instead\)/,
    });
    assert.throws(() => tool(loose({ userInputFields: ["city"] })), { message: /does not support 'userInputFields'/ });
    assert.throws(() => tool(loose({ inputSchema: { type: "string" } })), {
      message: /needs inputSchema: the JSON Schema of an object/,
    });
    assert.throws(() => tool(loose({ validate: "strict" })), { message: /validate must be a function/ });
    assert.throws(() => tool(loose({ origin: "" })), { message: /origin must be a non-empty string/ });
    assert.throws(() => tool(loose({ definitionDigest: "v1" })), { message: /definitionDigest must be a function/ });
  });

  it("takes a gate and the digest hook like any tool", async () => {
    const gated = tool({
      ...{ name: "alert", inputSchema: schema },
      requiresConfirmation: true,
      definitionDigest: async () => "v1",
      execute: () => "",
    });
    assert.equal(gated.gate, "confirmation");
    assert.equal(await gated.definitionDigest?.(), "v1");
  });
});

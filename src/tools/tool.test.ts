import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { tool } from "./tool.js";

const noop = (): string => "ok";

describe("tool() definitions", () => {
  it("refuses two gates on one tool, naming both", () => {
    assert.throws(
      () => tool({ name: "t", parameters: z.object({}), execute: noop, requiresConfirmation: true, externalExecution: true }),
      { name: "ConfigurationError", message: /confirmation and externalExecution/ },
    );
    assert.throws(
      () => tool({ name: "t", parameters: z.object({ a: z.string() }), execute: noop, requiresConfirmation: true, userInputFields: ["a"] }),
      { name: "ConfigurationError", message: /confirmation and userInput/ },
    );
  });

  it("refuses misspelled options, bad names, missing execute and unknown user-input fields", () => {
    const loose = { name: "t", parameters: z.object({}), execute: noop, requireConfirmation: true };
    assert.throws(() => tool(loose as Parameters<typeof tool>[0]), { message: /'requireConfirmation'.*supported options/ });
    assert.throws(() => tool({ name: "send alert!", parameters: z.object({}), execute: noop }), { message: /invalid/ });
    assert.throws(() => tool({ name: "t", parameters: z.object({}) }), { message: /no execute function/ });
    assert.throws(
      () => tool({ name: "t", parameters: z.object({ a: z.string() }), execute: noop, userInputFields: ["b" as "a"] }),
      { message: /userInputFields 'b'.*parameters: a/ },
    );
  });

  it("allows externalExecution without execute and marks the gate", () => {
    assert.equal(tool({ name: "t", parameters: z.object({}), externalExecution: true }).gate, "externalExecution");
    assert.equal(tool({ name: "t", parameters: z.object({}), execute: noop }).gate, "none");
  });
});

describe("the schema the model sees", () => {
  const search = tool({
    name: "search",
    description: "Search the web.",
    parameters: z.object({
      query: z.string().describe("What to look for"),
      limit: z.number().int().optional(),
      mode: z.enum(["fast", "deep"]).default("fast"),
      filters: z.array(z.object({ field: z.string(), value: z.string().optional() })),
    }),
    execute: (args) => JSON.stringify(args),
  });

  it("is strict-mode JSON Schema: closed objects, every key required, optional keys nullable", () => {
    const spec = search.modelSpec();
    assert.equal(spec.strict, true);
    assert.equal(spec.description, "Search the web.");
    assert.deepEqual(spec.parameters, {
      type: "object",
      properties: {
        query: { type: "string", description: "What to look for" },
        limit: { type: ["integer", "null"], minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
        mode: { anyOf: [{ type: "string", enum: ["fast", "deep"] }, { type: "null" }] },
        filters: {
          type: "array",
          items: {
            type: "object",
            properties: { field: { type: "string" }, value: { type: ["string", "null"] } },
            required: ["field", "value"],
            additionalProperties: false,
          },
        },
      },
      required: ["query", "limit", "mode", "filters"],
      additionalProperties: false,
    });
    assert.equal(JSON.stringify(spec.parameters).includes("$schema"), false);
  });

  it("reads the model's nulls for optional keys as absent, so defaults apply", () => {
    const checked = search.checkArguments({ query: "kern", limit: null, mode: null, filters: [{ field: "lang", value: null }] });
    assert.deepEqual(checked, { ok: true, value: { query: "kern", mode: "fast", filters: [{ field: "lang" }] } });
    const bad = search.checkArguments({ query: 1, filters: [] });
    assert.equal(bad.ok, false);
  });

  it("turns return values into text: strings as they are, anything else as JSON", async () => {
    const context = { runId: "r", sessionId: "s", toolCallId: "c", agentName: "a", signal: undefined };
    assert.equal(await search.run({ query: "q", filters: [] }, context), '{"query":"q","mode":"fast","filters":[]}');
  });
});

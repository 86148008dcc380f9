import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { toStrictJsonSchema } from "./strict-schema.js";
import { tool } from "./tool.js";

const noop = (): string => "ok";

describe("tool() definitions", () => {
  it("refuses two gates on one tool, naming both", () => {
    assert.throws(
      () =>
        tool({
          name: "t",
          parameters: z.object({}),
          execute: noop,
          requiresConfirmation: true,
          externalExecution: true,
        }),
      { name: "ConfigurationError", message: /confirmation and externalExecution/ },
    );
    assert.throws(
      () =>
        tool({
          name: "t",
          parameters: z.object({ a: z.string() }),
          execute: noop,
          requiresConfirmation: true,
          userInputFields: ["a"],
        }),
      { name: "ConfigurationError", message: /confirmation and userInput/ },
    );
  });

  it("refuses misspelled options, bad names, missing execute and unknown user-input fields", () => {
    const loose = { name: "t", parameters: z.object({}), execute: noop, requireConfirmation: true };
    assert.throws(() => tool(loose as Parameters<typeof tool>[0]), {
      message: /'requireConfirmation'.*supported options/,
    });
    assert.throws(() => tool({ name: "send alert!", parameters: z.object({}), execute: noop }), { message: /invalid/ });
    assert.throws(() => tool({ name: "t", parameters: z.object({}) }), { message: /no execute function/ });
    assert.throws(
      () => tool({ name: "t", parameters: z.object({ a: z.string() }), execute: noop, userInputFields: ["b" as "a"] }),
      { message: /userInputFields 'b'.*parameters: a/ },
    );
  });

  it("refuses parameters that are not a zod object, whatever else they are", () => {
    const notObjects: unknown[] = [
      z.string(),
      z.array(z.object({})),
      { shape: {} },
      { _zod: { traits: ["ZodObject"] } },
      null,
      undefined,
    ];
    for (const parameters of notObjects) {
      assert.throws(() => tool({ name: "t", parameters: parameters as z.ZodObject, execute: noop }), {
        name: "ConfigurationError",
        message: "Tool 't' needs parameters: z.object({...}) (use z.object({}) for none).",
      });
    }
    assert.equal(tool({ name: "t", parameters: z.strictObject({ a: z.string() }), execute: noop }).name, "t");
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

  it("is what z.toJSONSchema gives, made strict; the human's part keeps its defaults", () => {
    const parameters = z.object({ city: z.string(), note: z.string().default("none"), when: z.iso.date().optional() });
    const gated = tool({ name: "t", parameters, execute: noop, userInputFields: ["note", "when"] });
    const draft7 = { target: "draft-7", io: "input" } as const;
    assert.deepEqual(
      gated.modelSpec().parameters,
      toStrictJsonSchema(z.toJSONSchema(parameters.omit({ note: true, when: true }), draft7)),
    );
    const { $schema: _dialect, ...human } = z.toJSONSchema(parameters.pick({ note: true, when: true }), draft7);
    assert.deepEqual(gated.userInputJsonSchema(), human);
    assert.equal(tool({ name: "t", parameters, execute: noop }).userInputJsonSchema(), null);
  });

  it("reads the model's nulls for optional keys as absent, so defaults apply", () => {
    const checked = search.checkArguments({
      query: "kern",
      limit: null,
      mode: null,
      filters: [{ field: "lang", value: null }],
    });
    assert.deepEqual(checked, { ok: true, value: { query: "kern", mode: "fast", filters: [{ field: "lang" }] } });
    const bad = search.checkArguments({ query: 1, filters: [] });
    assert.equal(bad.ok, false);
  });

  it("turns return values into text: strings as they are, anything else as JSON", async () => {
    const context = { runId: "r", sessionId: "s", toolCallId: "c", agentName: "a", signal: undefined };
    assert.equal(await search.run({ query: "q", filters: [] }, context), '{"query":"q","mode":"fast","filters":[]}');
  });
});

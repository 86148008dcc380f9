import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AGENT_RUN_DEFAULTS, cloneJson, freshDefaults, NO_USAGE, WORKFLOW_RUN_DEFAULTS } from "./shapes.js";

describe("copies of run data", () => {
  it("cloneJson copies as structuredClone does: same keys in the same order, undefined kept, nothing shared", () => {
    const value = { b: 1, a: [{ y: null, x: "s" }, [2, 3]], c: { d: undefined, e: true }, f: "", g: 0 };
    const copy = cloneJson(value);
    assert.equal(JSON.stringify(copy), JSON.stringify(structuredClone(value)));
    assert.deepEqual(Object.keys(copy.c), ["d", "e"]);
    assert.notEqual(copy.a, value.a);
    assert.notEqual(copy.a[0], value.a[0]);
    assert.notEqual(copy.c, value.c);
  });

  it("freshDefaults gives a new run its own arrays and usage, unfrozen, in the defaults' order", () => {
    for (const defaults of [AGENT_RUN_DEFAULTS, WORKFLOW_RUN_DEFAULTS]) {
      const fresh = freshDefaults(defaults);
      assert.deepEqual(fresh, structuredClone(defaults));
      assert.deepEqual(Object.keys(fresh), Object.keys(defaults));
      // A usage equal to NO_USAGE but not NO_USAGE itself: new runs store it, as they always have.
      assert.notEqual(fresh.usage, NO_USAGE);
      assert.equal(Object.isFrozen(fresh.usage), false);
      (fresh.usage as { inputTokens: number }).inputTokens = 5;
      assert.equal(NO_USAGE.inputTokens, 0);
    }
    const agent = freshDefaults(AGENT_RUN_DEFAULTS);
    assert.notEqual(agent.requirements, AGENT_RUN_DEFAULTS.requirements);
    assert.notEqual(agent.tools, freshDefaults(AGENT_RUN_DEFAULTS).tools);
  });
});

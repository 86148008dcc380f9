import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { decodeAgentRunState } from "./agent-run-codec.js";
import { decodeState } from "./codec.js";
import { z } from "zod";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/agent-run-v1.json", import.meta.url), "utf8")) as Record<string, unknown>;

describe("agent run state versions", () => {
  it("reads the frozen version-1 fixture", () => {
    const state = decodeAgentRunState(fixture);
    assert.equal(state.status, "paused");
    assert.equal(state.requirements.length, 1);
    assert.deepEqual(state.cursor?.toolCallIds, ["call_1", "call_2"]);
  });

  it("refuses unknown, missing and non-integer versions with StateVersionError", () => {
    for (const schemaVersion of [0, 2, "1", undefined, 1.5]) {
      assert.throws(() => decodeAgentRunState({ ...fixture, schemaVersion }), { name: "StateVersionError" });
    }
  });

  it("names the first field that does not match the schema", () => {
    assert.throws(() => decodeAgentRunState({ ...fixture, status: "sleeping" }), {
      name: "StateCorruptError",
      message: /at 'status'/,
    });
  });

  it("migrates older versions step by step before validating", () => {
    const codec = {
      what: "example",
      currentVersion: 3,
      migrations: {
        1: (state: Record<string, unknown>) => ({ ...state, title: state["name"] }),
        2: (state: Record<string, unknown>) => ({ ...state, tags: [] }),
      },
      schema: z.object({ schemaVersion: z.literal(3), title: z.string(), tags: z.array(z.string()) }),
    };
    assert.deepEqual(decodeState(codec, { schemaVersion: 1, name: "x" }), { schemaVersion: 3, title: "x", tags: [] });
    assert.deepEqual(decodeState(codec, { schemaVersion: 2, title: "y" }), { schemaVersion: 3, title: "y", tags: [] });
  });
});

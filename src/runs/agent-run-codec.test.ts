import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { z } from "zod";
import { decodeAgentRunState, encodeAgentRunState } from "./agent-run-codec.js";
import { decodeState } from "./codec.js";

const readFixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as Record<string, unknown>;
const fixture = readFixture("agent-run-v1.json");

describe("agent run state versions", () => {
  it("reads the frozen version-1 fixture, migrated to the current version", () => {
    const state = decodeAgentRunState(fixture);
    assert.equal(state.schemaVersion, 6);
    assert.equal(state.status, "paused");
    assert.equal(state.requirements.length, 1);
    assert.deepEqual(state.cursor?.toolCallIds, ["call_1", "call_2"]);
    assert.equal(state.fingerprint, null, "a version-1 run has no fingerprint: any definition may continue it");
  });

  it("reads the frozen version-2 fixture: one call done before the pause, one awaiting", () => {
    const state = decodeAgentRunState(readFixture("agent-run-v2.json"));
    assert.equal(state.fingerprint, "1937890aaa3f13be4aa9e1997d9e11ba");
    assert.deepEqual(
      state.tools.map((call) => [call.toolName, call.phase, call.result]),
      [
        ["lookup_forecast", "done", "Rain in Tokyo"],
        ["send_alert", "awaiting", null],
      ],
    );
  });

  it("reads the frozen version-3 fixture: a requirement carries a decision", () => {
    const state = decodeAgentRunState(readFixture("agent-run-v3.json"));
    assert.deepEqual(
      state.requirements.map((requirement) => [requirement.kind, requirement.decision, requirement.frozen]),
      [["confirmation", null, false]],
    );
    assert.deepEqual(
      state.requirements.map((requirement) => [requirement.decidedBy, requirement.decidedAt]),
      [[null, null]],
      "version 4 added who decided: unknown for earlier decisions",
    );
    assert.deepEqual([state.auditSeq, state.auditHead], [0, null]);
    assert.deepEqual(state.usage, { inputTokens: 0, outputTokens: 0 }, "version 5 added usage: none counted before");
    assert.deepEqual(
      state.tools.map((call) => [call.origin, call.definitionDigest]),
      [
        [null, null],
        [null, null],
      ],
      "version 5 added a call's origin and pinned definition: none before (tools defined in code)",
    );
    assert.deepEqual(
      state.requirements.map((requirement) => requirement.definitionChanged),
      [false],
    );
    assert.deepEqual(
      decodeAgentRunState(readFixture("agent-run-v2.json")).requirements.map((requirement) => requirement.decision),
      [null],
      "version 2's resolution: null became decision: null",
    );
  });

  it("keeps a call's origin, its pinned definition and a changed requirement; leaves their defaults out of stored JSON", () => {
    const state = decodeAgentRunState(readFixture("agent-run-v3.json"));
    const [, call] = state.tools;
    const [requirement] = state.requirements;
    assert.ok(call !== undefined && requirement !== undefined);
    const plain = encodeAgentRunState(state) as {
      tools: Array<Record<string, unknown>>;
      requirements: Array<Record<string, unknown>>;
    };
    assert.deepEqual(
      ["origin", "definitionDigest", "definitionChanged"].filter(
        (key) => key in (plain.tools[1] ?? {}) || key in (plain.requirements[0] ?? {}),
      ),
      [],
    );
    call.origin = "mcp:weather";
    call.definitionDigest = "3f2a";
    requirement.definitionChanged = true;
    const again = decodeAgentRunState(JSON.parse(JSON.stringify(encodeAgentRunState(state))));
    assert.deepEqual([again.tools[1]?.origin, again.tools[1]?.definitionDigest], ["mcp:weather", "3f2a"]);
    assert.equal(again.requirements[0]?.definitionChanged, true);
    assert.throws(() => decodeAgentRunState({ ...plain, tools: [{ ...plain.tools[0], origin: 7 }] }), {
      name: "StateCorruptError",
      message: /at 'tools\.0\.origin'/,
    });
  });

  it("reads the frozen version-5 fixture: a call done, a gated call awaiting; no call has a sub-run", () => {
    const state = decodeAgentRunState(readFixture("agent-run-v5.json"));
    assert.equal(state.schemaVersion, 6);
    assert.deepEqual(
      state.tools.map((call) => [call.toolName, call.phase, call.subRun]),
      [
        ["lookup_forecast", "done", null],
        ["send_alert", "awaiting", null],
      ],
      "version 6 added a call's sub-run (agents as tools): none before",
    );
    assert.deepEqual(
      state.requirements.map((requirement) => [requirement.kind, requirement.decision, requirement.frozen]),
      [["confirmation", null, false]],
    );
    const plain = encodeAgentRunState(state) as { tools: Array<Record<string, unknown>> };
    assert.deepEqual(
      plain.tools.filter((call) => "subRun" in call),
      [],
      "a call without a sub-run stores no subRun field",
    );
  });

  it("refuses unknown, missing and non-integer versions with StateVersionError", () => {
    for (const schemaVersion of [0, 7, "1", undefined, 1.5]) {
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

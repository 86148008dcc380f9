import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import { Step, Workflow } from "../workflow/index.js";
import { type RecordShape, stripDefaults, stripRunDefaults, withDefaults, withRunDefaults } from "./compact.js";
import { decodeWorkflowRunState, encodeWorkflowRunState } from "./workflow-run-codec.js";

describe("sparse stored state", () => {
  it("leaves out fields equal to their default and restores them exactly, nested records included", () => {
    const shape: RecordShape = { defaults: { flag: false, note: null, list: [], children: [] }, nested: {} };
    (shape.nested as Record<string, RecordShape>)["children"] = shape;
    const full = {
      id: 1,
      flag: true,
      note: null,
      list: [],
      children: [{ id: 2, flag: false, note: "n", list: [1], children: [] }],
    };
    const sparse = stripDefaults(full, shape);
    assert.deepEqual(sparse, { id: 1, flag: true, children: [{ id: 2, note: "n", list: [1] }] });
    assert.deepEqual(withDefaults(sparse, shape), full);
  });

  it("stores a run's name only when it differs from its id, keeping the key order, and fills it back in", () => {
    const shape: RecordShape = { defaults: { note: null, list: [] } };
    const name = { nameKey: "name", idKey: "id" };
    const byId = { id: "w", name: "w", note: null, list: [], status: "paused" };
    const named = { id: "w", name: "Weather", note: "n", list: [], status: "paused" };
    assert.equal(JSON.stringify(stripRunDefaults(byId, shape, name)), '{"id":"w","status":"paused"}');
    assert.equal(
      JSON.stringify(stripRunDefaults(named, shape, name)),
      '{"id":"w","name":"Weather","note":"n","status":"paused"}',
    );
    // Defaults first in the shape's order, then the stored fields, then a left-out name.
    assert.equal(
      JSON.stringify(withRunDefaults({ id: "w", status: "paused" }, shape, name)),
      '{"note":null,"list":[],"id":"w","status":"paused","name":"w"}',
    );
    assert.deepEqual(withRunDefaults(stripRunDefaults(named, shape, name), shape, name), named);
  });

  it("round-trips a paused workflow run through the stored form without loss", async () => {
    const workflow = new Workflow({
      name: "w",
      db: new InMemoryDb(),
      steps: [
        new Step({ name: "a", executor: () => "x", requiresOutputReview: true, onReject: "retry" }),
        new Step({ name: "b", executor: () => "y" }),
      ],
    });
    const run = await workflow.run("in", { additionalData: { k: 1 } });
    const state = run.toJSON();
    const stored = JSON.parse(JSON.stringify(encodeWorkflowRunState(state))) as Record<string, unknown>;
    assert.equal("workflowName" in stored, false);
    assert.ok(JSON.stringify(stored).length < JSON.stringify(state).length);
    assert.deepEqual(decodeWorkflowRunState(stored), state);
  });
});

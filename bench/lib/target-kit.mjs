// Helpers the target files share: kern's cycle in the service lifetime, the floors' captured
// payloads, and the per-commit trace of kern's writes.

/** Calls `hook(label)` after every write method of `DbClass` (kern's SqliteDb or PostgresDb). */
export function traceKernWrites(DbClass, hook) {
  for (const method of ["insertRun", "updateRun", "writeRuns", "renewLease"]) {
    const original = DbClass.prototype[method];
    if (typeof original !== "function") continue;
    DbClass.prototype[method] = async function traced(...args) {
      const result = await original.apply(this, args);
      const records = method === "writeRuns" ? args[0].map((write) => write.record) : method === "renewLease" ? [] : [args[0]];
      const what = records.map((record) => `${record.kind}:${record.status}${record.pending?.length ? `+${record.pending.length} pending` : ""}`);
      const decisions = method === "writeRuns" ? args[0].reduce((sum, write) => sum + (write.decisions?.length ?? 0), 0) : 0;
      await hook(`${method}(${what.join(", ")})${decisions > 0 ? ` +${decisions} decision` : ""}`);
      return result;
    };
  }
}

/** kern's cycle helpers, loaded only in the processes that time kern. */
export async function kernTargets() {
  const { buildWorkflow, kernCycle, storedStateBytes } = await import("../frameworks/kern.mjs");
  const measure = (cycle) => async () => {
    let bytes;
    await cycle({ onPause2: async (db, refs) => (bytes = await storedStateBytes(db, refs)) });
    return bytes;
  };
  /** One Db object and one Workflow for every phase, as a long-running service holds them. */
  const service = (db) => {
    const workflow = buildWorkflow(db);
    const cycle = kernCycle({ openDb: async () => db, closeDb: async () => undefined, workflowOf: () => workflow });
    return { cycle, storedBytes: measure(cycle) };
  };
  return { kernCycle, measure, service };
}

/** The floors' payloads: what a real kern cycle stored, captured in this process (see FLOOR.md). */
export async function capturedPlan(dir) {
  const { captureKernCycle, floorPlan } = await import("./kern-writes.mjs");
  const plan = floorPlan(await captureKernCycle(dir));
  const storedBytes = async () => ({
    total: Buffer.byteLength(plan.states.pause2Workflow) + Buffer.byteLength(plan.states.pause2Agent),
    workflow: Buffer.byteLength(plan.states.pause2Workflow),
    agent: Buffer.byteLength(plan.states.pause2Agent),
  });
  return { plan, storedBytes };
}

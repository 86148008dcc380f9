// OpenAI Agents JS's side of the dual-HITL cycle. It has no workflow layer, so the step gate is
// application code: pause 1 stores { stage: "step" } in the app's SQLite run table. The tool
// gate is the framework's: a tool with needsApproval interrupts the run, RunState.toString() is
// stored in the same row, and RunState.fromString() + approve() + run() continue it.
// Where the run table comes from is the caller's choice (`openStore`/`closeStore`): a new
// connection per phase, or one connection a long-running service keeps for every phase.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { Agent, RunState, Usage, run, setTracingDisabled, tool } from "@openai/agents";
import { check } from "../lib/stats.mjs";
import { FINAL_TEXT, INPUT, TOOL_ARGS } from "./kern.mjs";

setTracingDisabled(true);

/** Turn 1 calls send_alert; once a tool result is in the input, answers with text. */
export class InstantModel {
  async getResponse(request) {
    const input = Array.isArray(request.input) ? request.input : [];
    if (input.some((item) => item.type === "function_call_result")) {
      return {
        usage: new Usage(),
        output: [{ id: "msg_1", type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: FINAL_TEXT }] }],
      };
    }
    return {
      usage: new Usage(),
      output: [{ id: "fc_1", type: "function_call", callId: "call_1", name: "send_alert", status: "completed", arguments: JSON.stringify(TOOL_ARGS) }],
    };
  }
  // eslint-disable-next-line require-yield
  async *getStreamedResponse() {
    throw new Error("not used");
  }
}

/** Counts real executions of the tool; each cycle resets it. */
export const effects = { sent: 0 };

/** The tool, defined once at module scope. */
export const sendAlert = tool({
  name: "send_alert",
  description: "Send a weather alert for a city.",
  parameters: z.object({ city: z.string(), message: z.string() }),
  needsApproval: true,
  execute: async ({ city, message }) => {
    effects.sent += 1;
    return `Alert sent for ${city}: ${message}`;
  },
});

/** The agent, built anew for each phase. */
export function buildAgent() {
  return new Agent({
    name: "AlertAgent",
    instructions: "You send weather alerts with the send_alert tool, then say what you did in one sentence.",
    model: new InstantModel(),
    tools: [sendAlert],
  });
}

/**
 * Returns `cycle()`, which runs one checked dual-HITL cycle. `openStore()` gives the phase's
 * RunTable and `closeStore(table)` releases it (both synchronous, as better-sqlite3 is): a new
 * table per phase opens and closes a connection each time; a shared one is returned as is.
 * `cycle({ onPause2 })` calls `onPause2(table, runId)` while the run is paused the second time.
 */
export function openaiAgentsCycle({ openStore, closeStore }) {
  return async function cycle({ onPause2 } = {}) {
    effects.sent = 0;
    const runId = randomUUID();

    // (1) pause 1: the step gate, stored by the application.
    let table = openStore();
    table.insertPaused(runId, "step", JSON.stringify({ input: INPUT }));
    closeStore(table);

    // (2) fresh graph: approve the step (claim), run the agent to its tool interruption, store RunState.
    table = openStore();
    let row = table.claim(runId);
    check(row.stage === "step", "pause 1 is the step gate");
    const first = await run(buildAgent(), JSON.parse(row.state).input);
    check(first.interruptions.length === 1, `pause 2 has one interruption (got ${first.interruptions.length})`);
    check(first.interruptions[0].name === "send_alert", "pause 2 asks to approve send_alert");
    check(effects.sent === 0, "the gated tool did not run before its approval");
    table.update(runId, row.revision, "tool", "paused", first.state.toString());
    if (onPause2 !== undefined) await onPause2(table, runId);
    closeStore(table);

    // (3) fresh graph: load RunState, approve, continue: the tool runs once, the run completes.
    table = openStore();
    row = table.claim(runId);
    check(row.stage === "tool", "pause 2 is the tool gate");
    const agent = buildAgent();
    const state = await RunState.fromString(agent, row.state);
    const interruptions = state.getInterruptions();
    check(interruptions.length === 1, "the stored state holds the interruption");
    state.approve(interruptions[0]);
    const done = await run(agent, state);
    check(done.interruptions.length === 0, "no further interruption");
    check(done.finalOutput === FINAL_TEXT, `final output (got ${JSON.stringify(done.finalOutput)})`);
    check(effects.sent === 1, `the tool ran exactly once (ran ${effects.sent} times)`);
    table.update(runId, row.revision, "done", "completed", JSON.stringify({ output: done.finalOutput }));
    closeStore(table);
  };
}

/** Bytes stored for the run at pause 2: the RunState string in its row. */
export function storedStateBytes(table, runId) {
  return { total: Buffer.byteLength(table.read(runId).state) };
}

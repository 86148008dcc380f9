// OpenAI Agents JS's side of the dual-HITL cycle. It has no workflow layer, so the step gate is
// application code: pause 1 stores { stage: "step" } in the app's SQLite run table. The tool
// gate is the framework's: a tool with needsApproval interrupts the run, RunState.toString() is
// stored in the same row, and RunState.fromString() + approve() + run() continue it.
// Where the run table comes from is the caller's choice (`openStore`/`closeStore`): a new
// SQLite connection per phase, or one connection (SQLite) or pool (PostgreSQL) that a
// long-running service keeps for every phase; so is the Agent (`agentOf()`: new per phase, or one).
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

/** What an approver is shown: the row loaded by id and, at the tool gate, its RunState's interruption. */
async function showPaused(table, agent, runId) {
  const row = await table.read(runId);
  check(row?.status === "paused", "the loaded run is paused");
  if (row.stage === "step") return `send_alert: ${JSON.parse(row.state).input}`;
  const [call] = (await RunState.fromString(agent, row.state)).getInterruptions();
  return `${call.name}(${call.arguments})`;
}

/**
 * Returns `cycle()`, which runs one checked dual-HITL cycle. `openStore()` gives the phase's run
 * table and `closeStore(table)` releases it; `agentOf()` gives the Agent (by default a new one).
 * `cycle({ show: true })` loads and shows the run before each approval; `cycle({ onPause2 })`
 * calls `onPause2(table, runId)` while the run is paused the second time.
 */
export function openaiAgentsCycle({ openStore, closeStore, agentOf = buildAgent }) {
  return async function cycle({ onPause2, show = false } = {}) {
    effects.sent = 0;
    const runId = randomUUID();

    // (1) pause 1: the step gate, stored by the application.
    let table = await openStore();
    await table.insertPaused(runId, "step", JSON.stringify({ input: INPUT }));
    await closeStore(table);

    // (2) approve the step (claim), run the agent to its tool interruption, store RunState.
    table = await openStore();
    let agent = agentOf();
    if (show) check((await showPaused(table, agent, runId)).startsWith("send_alert:"), "the approver is shown the step gate");
    let row = await table.claim(runId);
    check(row.stage === "step", "pause 1 is the step gate");
    const first = await run(agent, JSON.parse(row.state).input);
    check(first.interruptions.length === 1, `pause 2 has one interruption (got ${first.interruptions.length})`);
    check(first.interruptions[0].name === "send_alert", "pause 2 asks to approve send_alert");
    check(effects.sent === 0, "the gated tool did not run before its approval");
    await table.update(runId, row.revision, "tool", "paused", first.state.toString());
    if (onPause2 !== undefined) await onPause2(table, runId);
    await closeStore(table);

    // (3) load RunState, approve, continue: the tool runs once, the run completes.
    table = await openStore();
    agent = agentOf();
    if (show) check((await showPaused(table, agent, runId)).startsWith("send_alert({"), "the approver is shown the tool call");
    row = await table.claim(runId);
    check(row.stage === "tool", "pause 2 is the tool gate");
    const state = await RunState.fromString(agent, row.state);
    const interruptions = state.getInterruptions();
    check(interruptions.length === 1, "the stored state holds the interruption");
    state.approve(interruptions[0]);
    const done = await run(agent, state);
    check(done.interruptions.length === 0, "no further interruption");
    check(done.finalOutput === FINAL_TEXT, `final output (got ${JSON.stringify(done.finalOutput)})`);
    check(effects.sent === 1, `the tool ran exactly once (ran ${effects.sent} times)`);
    await table.update(runId, row.revision, "done", "completed", JSON.stringify({ output: done.finalOutput }));
    await closeStore(table);
  };
}

/** Bytes stored for the run at pause 2: the RunState string in its row. */
export async function storedStateBytes(table, runId) {
  return { total: Buffer.byteLength((await table.read(runId)).state) };
}

// LangGraph.js's side of the dual-HITL cycle: one graph, START -> step_gate -> agent <-> tools.
// step_gate calls interrupt() before the agent runs (pause 1); the send_alert tool calls
// interrupt() before its side effect (pause 2). Each continue resumes with Command({ resume }) on
// the saver the caller gives (`openStore`/`closeStore`) and the graph `graphOf(store)` gives: per
// phase, a new SqliteSaver, connection and compiled graph; a long-running service compiles the
// graph once on one saver (SqliteSaver, or PostgresSaver on a pg pool). The SQLite connection
// uses WAL (the saver's own setting) and synchronous=FULL (set here, as kern's SqliteDb runs).
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { z } from "zod";
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { tool } from "@langchain/core/tools";
import { Command, END, MessagesAnnotation, START, StateGraph, interrupt } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { check } from "../lib/stats.mjs";
import { FINAL_TEXT, INPUT, TOOL_ARGS } from "./kern.mjs";

/** Turn 1 calls send_alert; once a tool result is in the conversation, answers with text. */
export class InstantChatModel extends BaseChatModel {
  _llmType() {
    return "instant";
  }
  bindTools() {
    return this;
  }
  async _generate(messages) {
    const last = messages[messages.length - 1];
    const message = last?._getType?.() === "tool" || last?.getType?.() === "tool"
      ? new AIMessage({ content: FINAL_TEXT })
      : new AIMessage({ content: "", tool_calls: [{ id: "call_1", name: "send_alert", args: { ...TOOL_ARGS }, type: "tool_call" }] });
    return { generations: [{ text: typeof message.content === "string" ? message.content : "", message }] };
  }
}

/** Counts real executions of the tool; each cycle resets it. */
export const effects = { sent: 0 };

/** The tool, defined once at module scope; it asks for approval before its side effect. */
export const sendAlert = tool(
  async ({ city, message }) => {
    const approved = interrupt({ kind: "tool", tool: "send_alert", args: { city, message } });
    if (approved !== true) return "The user rejected this tool call.";
    effects.sent += 1;
    return `Alert sent for ${city}: ${message}`;
  },
  { name: "send_alert", description: "Send a weather alert for a city.", schema: z.object({ city: z.string(), message: z.string() }) },
);

/** A SqliteSaver on a new better-sqlite3 connection to `file`; close it with `database.close()`. */
export function openSaver(file) {
  const database = new Database(file);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = FULL");
  return { database, saver: new SqliteSaver(database) };
}

/** A PostgresSaver on a new pg pool, its tables set up once; close it with `saver.end()`. */
export async function openPostgresSaver(url) {
  const { PostgresSaver } = await import("@langchain/langgraph-checkpoint-postgres");
  const saver = PostgresSaver.fromConnString(url, { schema: "bench_langgraph" });
  await saver.setup();
  return { saver };
}

/** What an approver is shown: the thread's state loaded from the saver, its interrupt as text. */
async function showPaused(graph, config) {
  const state = await graph.getState(config);
  const value = state.tasks.flatMap((task) => task.interrupts ?? [])[0]?.value;
  check(value !== undefined, "the loaded thread is interrupted");
  return value.kind === "step" ? `${value.step}: ${value.message}` : `${value.tool}(${JSON.stringify(value.args)})`;
}

/** The graph, compiled anew for each phase (a fresh object graph). */
export function buildGraph(checkpointer) {
  const model = new InstantChatModel({}).bindTools([sendAlert]);
  return new StateGraph(MessagesAnnotation)
    .addNode("step_gate", () => {
      const approved = interrupt({ kind: "step", step: "send_alert", message: "Proceed with sending the alert?" });
      check(approved === true, "the step was approved");
      return {};
    })
    .addNode("agent", async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addNode("tools", new ToolNode([sendAlert]))
    .addEdge(START, "step_gate")
    .addEdge("step_gate", "agent")
    .addConditionalEdges("agent", (state) => (state.messages.at(-1)?.tool_calls?.length ? "tools" : END), ["tools", END])
    .addEdge("tools", "agent")
    .compile({ checkpointer });
}

/**
 * Returns `cycle()`, which runs one checked dual-HITL cycle. `openStore()` gives the phase's
 * `{ database?, saver }` and `closeStore(store)` releases it; `graphOf(store)` gives the graph (by
 * default compiled anew). `cycle({ show: true })` loads and shows the thread before each resume;
 * `cycle({ onPause2 })` calls `onPause2(database, threadId)` while the run is paused the second time.
 */
export function langgraphCycle({ openStore, closeStore, graphOf = (store) => buildGraph(store.saver) }) {
  return async function cycle({ onPause2, show = false } = {}) {
    effects.sent = 0;
    const config = { configurable: { thread_id: randomUUID() } };

    // (1) run -> pause 1 (interrupt in step_gate) -> checkpointed.
    let store = await openStore();
    const first = await graphOf(store).invoke({ messages: [new HumanMessage(INPUT)] }, config);
    check(first.__interrupt__?.length === 1 && first.__interrupt__[0].value.kind === "step", "pause 1 is the step gate");
    check(effects.sent === 0, "no tool ran before pause 1");
    await closeStore(store);

    // (2) resume -> pause 2 (interrupt in the tool) -> checkpointed.
    store = await openStore();
    let graph = graphOf(store);
    if (show) check((await showPaused(graph, config)).startsWith("send_alert:"), "the approver is shown the step gate");
    const second = await graph.invoke(new Command({ resume: true }), config);
    check(second.__interrupt__?.length === 1 && second.__interrupt__[0].value.kind === "tool", "pause 2 is the tool gate");
    check(second.__interrupt__[0].value.tool === "send_alert", "pause 2 asks to approve send_alert");
    check(effects.sent === 0, "the gated tool did not run before its approval");
    if (onPause2 !== undefined) await onPause2(store.database, config.configurable.thread_id);
    await closeStore(store);

    // (3) resume -> the tool runs once -> completed.
    store = await openStore();
    graph = graphOf(store);
    if (show) check((await showPaused(graph, config)).startsWith("send_alert({"), "the approver is shown the tool call");
    const done = await graph.invoke(new Command({ resume: true }), config);
    check(done.__interrupt__ === undefined, "no further interrupt");
    check(done.messages.at(-1)?.content === FINAL_TEXT, `final message (got ${JSON.stringify(done.messages.at(-1)?.content)})`);
    check(effects.sent === 1, `the tool ran exactly once (ran ${effects.sent} times)`);
    await closeStore(store);
  };
}

/** Bytes the checkpointer holds for the thread at pause 2: every checkpoint and pending write. */
export function storedStateBytes(database, threadId) {
  const checkpoints = database
    .prepare("SELECT COUNT(*) AS rows, COALESCE(SUM(LENGTH(checkpoint) + LENGTH(metadata)), 0) AS bytes FROM checkpoints WHERE thread_id = ?")
    .get(threadId);
  const latest = database
    .prepare("SELECT LENGTH(checkpoint) + LENGTH(metadata) AS bytes FROM checkpoints WHERE thread_id = ? ORDER BY checkpoint_id DESC LIMIT 1")
    .get(threadId);
  const writes = database
    .prepare("SELECT COUNT(*) AS rows, COALESCE(SUM(LENGTH(value)), 0) AS bytes FROM writes WHERE thread_id = ?")
    .get(threadId);
  return {
    total: checkpoints.bytes + writes.bytes,
    checkpoints: checkpoints.rows,
    latestCheckpoint: latest.bytes,
    writes: writes.rows,
    writeBytes: writes.bytes,
  };
}

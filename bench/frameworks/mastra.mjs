// Mastra's side of the dual-HITL cycle: a workflow whose one step suspends before it runs (the
// step gate, pause 1); once resumed it calls an agent whose tool has requireApproval, so
// agent.generate() stops with finishReason "suspended" and the step suspends again carrying
// the agent's run id (pause 2). The last resume calls agent.approveToolCallGenerate(), which
// loads the agent's own snapshot, runs the tool and finishes. The store is the caller's
// (`openStore`/`closeStore`) and so is the Mastra (`mastraOf(storage)`): per phase, a new
// LibSQLStore (which also initialises its schema on first use) and a new Mastra, workflow and
// agent; a long-running service builds one Mastra on one store (LibSQLStore or PostgresStore)
// and uses it for every phase. The tool is defined once either way.
import { z } from "zod";
import { Agent } from "@mastra/core/agent";
import { Mastra } from "@mastra/core/mastra";
import { createTool } from "@mastra/core/tools";
import { createStep, createWorkflow } from "@mastra/core/workflows";
import { LibSQLStore } from "@mastra/libsql";
import { check } from "../lib/stats.mjs";
import { FINAL_TEXT, INPUT, TOOL_ARGS } from "./kern.mjs";

const USAGE = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };

function streamOf(parts) {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

/**
 * An instant AI SDK (LanguageModelV2) model: turn 1 calls send_alert, and once a tool result is
 * in the prompt it answers with text. It records nothing.
 */
export function instantModel() {
  const answer = (options) => {
    const sawToolResult = options.prompt.some((message) => message.role === "tool");
    return sawToolResult
      ? { content: [{ type: "text", text: FINAL_TEXT }], finishReason: "stop" }
      : { content: [{ type: "tool-call", toolCallId: "call_1", toolName: "send_alert", input: JSON.stringify(TOOL_ARGS) }], finishReason: "tool-calls" };
  };
  return {
    specificationVersion: "v2",
    provider: "bench",
    modelId: "instant",
    supportedUrls: {},
    async doGenerate(options) {
      const { content, finishReason } = answer(options);
      return { content, finishReason, usage: USAGE, warnings: [] };
    },
    async doStream(options) {
      const { content, finishReason } = answer(options);
      const parts = [{ type: "stream-start", warnings: [] }, { type: "response-metadata", id: "response_1", modelId: "instant", timestamp: new Date(0) }];
      for (const item of content) {
        if (item.type === "text") {
          parts.push({ type: "text-start", id: "text_1" }, { type: "text-delta", id: "text_1", delta: item.text }, { type: "text-end", id: "text_1" });
        } else {
          parts.push(item);
        }
      }
      parts.push({ type: "finish", finishReason, usage: USAGE });
      return { stream: streamOf(parts) };
    },
  };
}

/** Counts real executions of the tool; each cycle resets it. */
export const effects = { sent: 0 };

/** The tool, defined once at module scope. */
export const sendAlert = createTool({
  id: "send_alert",
  description: "Send a weather alert for a city.",
  inputSchema: z.object({ city: z.string(), message: z.string() }),
  requireApproval: true,
  execute: async ({ city, message }) => {
    effects.sent += 1;
    return `Alert sent for ${city}: ${message}`;
  },
});

/** The agent, built anew for each phase. */
function buildAgent() {
  return new Agent({
    id: "alertAgent",
    name: "AlertAgent",
    instructions: "You send weather alerts with the send_alert tool, then say what you did in one sentence.",
    model: instantModel(),
    tools: { send_alert: sendAlert },
  });
}

function buildWorkflow() {
  const step = createStep({
    id: "send_alert",
    inputSchema: z.object({ input: z.string() }),
    outputSchema: z.object({ text: z.string() }),
    resumeSchema: z.object({ stage: z.enum(["step", "tool"]), agentRunId: z.string().optional(), toolCallId: z.string().optional() }),
    suspendSchema: z.object({ kind: z.string(), message: z.string().optional(), agentRunId: z.string().optional(), toolCallId: z.string().optional(), toolName: z.string().optional() }),
    execute: async ({ inputData, resumeData, suspend, mastra }) => {
      if (resumeData === undefined) return suspend({ kind: "step", message: "Proceed with sending the alert?" });
      const agent = mastra.getAgent("alertAgent");
      if (resumeData.stage === "step") {
        const output = await agent.generate(inputData.input);
        check(output.finishReason === "suspended", `the agent stopped at the tool's approval (got ${output.finishReason})`);
        return suspend({ kind: "tool", agentRunId: output.runId, toolCallId: output.suspendPayload?.toolCallId, toolName: output.suspendPayload?.toolName });
      }
      const result = await agent.approveToolCallGenerate({ runId: resumeData.agentRunId, toolCallId: resumeData.toolCallId });
      return { text: result.text };
    },
  });
  return createWorkflow({ id: "dualConfirmation", inputSchema: z.object({ input: z.string() }), outputSchema: z.object({ text: z.string() }) })
    .then(step)
    .commit();
}

/** A LibSQLStore on `file` (its own libsql client); `close()` releases it. */
export function openLibsqlStore(file) {
  return new LibSQLStore({ id: "bench", url: `file:${file}` });
}

/** A PostgresStore (its own pg pool) in schema bench_mastra; `close()` releases it. */
export async function openPostgresStore(url) {
  const { PostgresStore } = await import("@mastra/pg");
  const storage = new PostgresStore({ id: "bench", connectionString: url, schemaName: "bench_mastra" });
  await storage.init();
  return storage;
}

/** What an approver is shown: the run loaded from the store, its suspend payload as text. */
async function showPaused(mastra, runId) {
  const run = await mastra.getWorkflow("dualConfirmation").getWorkflowRunById(runId);
  const payload = run?.steps?.send_alert?.suspendPayload;
  check(run?.status === "suspended" && payload !== undefined, "the loaded run is suspended");
  return payload.kind === "step" ? `send_alert: ${payload.message}` : `${payload.toolName}(${payload.toolCallId})`;
}

/** A Mastra on `storage`, with a new agent, workflow and model. */
export function buildMastra(storage) {
  const mastra = new Mastra({
    agents: { alertAgent: buildAgent() },
    workflows: { dualConfirmation: buildWorkflow() },
    storage,
    logger: false,
  });
  return { mastra, storage };
}

/**
 * Returns `cycle()`, which runs one checked dual-HITL cycle. `openStore()` gives the phase's
 * store and `closeStore(storage)` releases it; `mastraOf(storage)` gives the Mastra (by default a
 * new one). `cycle({ show: true })` loads and shows the run before each resume;
 * `cycle({ onPause2 })` calls `onPause2(storage, { runId, agentRunId })` at the second pause.
 */
export function mastraCycle({ openStore, closeStore, mastraOf = buildMastra }) {
  return async function cycle({ onPause2, show = false } = {}) {
    effects.sent = 0;

    // (1) start -> the step suspends (pause 1) -> snapshot stored.
    let graph = mastraOf(await openStore());
    let run = await graph.mastra.getWorkflow("dualConfirmation").createRun();
    const runId = run.runId;
    const first = await run.start({ inputData: { input: INPUT } });
    check(first.status === "suspended", `pause 1 (got ${first.status})`);
    check(first.steps.send_alert?.suspendPayload?.kind === "step", "pause 1 is the step gate");
    check(effects.sent === 0, "no tool ran before pause 1");
    await closeStore(graph.storage);

    // (2) resume (approve the step) -> the agent suspends on the tool -> pause 2.
    graph = mastraOf(await openStore());
    if (show) check((await showPaused(graph.mastra, runId)).startsWith("send_alert:"), "the approver is shown the step gate");
    run = await graph.mastra.getWorkflow("dualConfirmation").createRun({ runId });
    const second = await run.resume({ step: "send_alert", resumeData: { stage: "step" } });
    check(second.status === "suspended", `pause 2 (got ${second.status})`);
    const payload = second.steps.send_alert?.suspendPayload;
    check(payload?.kind === "tool" && payload.toolName === "send_alert", "pause 2 asks to approve send_alert");
    check(effects.sent === 0, "the gated tool did not run before its approval");
    if (onPause2 !== undefined) await onPause2(graph.storage, { runId, agentRunId: payload.agentRunId });
    await closeStore(graph.storage);

    // (3) resume (approve the tool) -> the tool runs once -> completed.
    graph = mastraOf(await openStore());
    if (show) check((await showPaused(graph.mastra, runId)).startsWith("send_alert("), "the approver is shown the tool call");
    run = await graph.mastra.getWorkflow("dualConfirmation").createRun({ runId });
    const done = await run.resume({ step: "send_alert", resumeData: { stage: "tool", agentRunId: payload.agentRunId, toolCallId: payload.toolCallId } });
    check(done.status === "success", `run completed (got ${done.status})`);
    check(done.result?.text === FINAL_TEXT, `final text (got ${JSON.stringify(done.result?.text)})`);
    check(effects.sent === 1, `the tool ran exactly once (ran ${effects.sent} times)`);
    await closeStore(graph.storage);
  };
}

import type { Frame } from "../../runs/index.js";
import type { Component } from "../components/component.js";
import { below, runChildren } from "./children.js";
import { type EngineContext, newFrame, rebuildOutputs } from "./context.js";

/**
 * Drives a workflow run from its start, or from its cursor when resuming, until it completes,
 * pauses or is cancelled. Mutates `context.state`; the caller stores it.
 */
export async function driveWorkflow(steps: readonly Component[], context: EngineContext): Promise<void> {
  const { state } = context;
  const resume: Frame[] | null = state.cursor;
  const stored = resume?.[0];
  if (stored !== undefined && stored.stepType !== "Workflow")
    throw new Error(`kern internal error: a cursor starts with a ${stored.stepType} frame.`);
  const frame = stored ?? newFrame("Workflow", "running", null);
  context.stack.push(frame);
  if (resume !== null) rebuildOutputs(context, resume);
  // The top-level outputs live in stepResults only; the stored cursor's first frame omits them.
  frame.outputs = state.stepResults;
  state.status = "running";
  const result = await runChildren(steps, context, frame, null, (index) => [index], below(resume));
  state.stepResults = frame.outputs;
  switch (result.type) {
    case "paused":
      state.status = "paused";
      state.cursor = result.frames.map((entry, index) => (index === 0 ? { ...entry, outputs: [] } : entry));
      return;
    case "cancelled":
      state.status = "cancelled";
      state.cancelReason = result.reason;
      state.cursor = null;
      return;
    case "finished":
      state.status = "completed";
      state.content = result.content;
      state.cursor = null;
      return;
    case "done":
      throw new Error("kern internal error: the top-level sequence returned a step output.");
    default: {
      const unreachable: never = result;
      throw new Error(`Unknown outcome ${JSON.stringify(unreachable)}`);
    }
  }
}

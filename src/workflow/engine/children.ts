import type { Frame, FrameOf } from "../../runs/index.js";
import type { Component } from "../components/component.js";
import { type EngineContext, lastContent, type Outcome, rememberOutputs } from "./context.js";

/** The rest of the cursor below a frame, or null when there is none. */
export function below(resume: Frame[] | null): Frame[] | null {
  return resume !== null && resume.length > 1 ? resume.slice(1) : null;
}

/**
 * Runs `children` in order from `frame.index`, each fed the previous one's content, keeping
 * completed outputs in the frame. A pause returns this frame on top of the child's frames, so a
 * continue resumes at the same child; completed children never run again.
 */
export async function runChildren(
  children: readonly Component[],
  context: EngineContext,
  frame: FrameOf<"Workflow" | "Steps" | "Condition" | "Router" | "Loop">,
  startContent: string | null,
  pathOf: (index: number) => number[],
  resumeChild: Frame[] | null,
): Promise<Outcome | { type: "finished"; content: string | null }> {
  let resume = resumeChild;
  for (let index = frame.index; index < children.length; index += 1) {
    frame.index = index;
    const child = children[index];
    if (child === undefined) break;
    const input = {
      previousContent: lastContent(frame.outputs, startContent),
      additionalData: frame.additionalData ?? {},
    };
    const outcome = await context.execute(child, context, input, pathOf(index), resume);
    resume = null;
    if (outcome.type === "paused") return { type: "paused", frames: [frame, ...outcome.frames] };
    if (outcome.type === "cancelled") return outcome;
    frame.outputs.push(outcome.output);
    rememberOutputs(context, [outcome.output]);
  }
  frame.index = children.length;
  return { type: "finished", content: lastContent(frame.outputs, startContent) };
}

import type { RunOutput, TreeTake } from "../../agent/index.js";
import type { Db } from "../../db/index.js";
import type { AnyGatePolicy, Claim, WriteBatch } from "../../runs/index.js";
import {
  FRAME_DEFAULTS,
  type Frame,
  type FrameOf,
  type StepOutputState,
  type StepRequirementState,
  type StepType,
  type WorkflowRunState,
} from "../../runs/index.js";
import type { TraceSpan } from "../../telemetry/index.js";
import type { Component } from "../components/component.js";
import type { StepRef, WorkflowEventListener } from "../events.js";
import { StepInput } from "../step-input.js";
import { namePath } from "./locate.js";

/** What every component runner shares during one drive of a workflow run. */
export interface EngineContext {
  state: WorkflowRunState;
  /**
   * The input of the workflow running now: the run's, or inside a workflow given as a step's
   * executor, what that step got (agents and `stepInput.input` see it).
   */
  input: string;
  /** The run's span in this process: step spans nest under it. */
  span: TraceSpan;
  /** The workflow's default gate policy: its step agents' tool gates without one of their own use it. */
  policy: AnyGatePolicy | undefined;
  /** This process's claim on the run: checkpoints go through it, fenced. */
  claim: Claim<WorkflowRunState>;
  /** The workflow's components: a requirement's `path` names them (locate.ts). */
  steps: readonly Component[];
  /** The frames of the components running now in this context, outermost first. */
  stack: Frame[];
  /**
   * The frames of the whole run, outermost first: the cursor a checkpoint stores. Outside
   * Parallel branches it is `stack`; inside one it is the run's, whose Parallel frame records
   * each branch's frames as of that branch's last checkpoint (see `recordBranch`).
   */
  root: Frame[];
  /**
   * Inside a Parallel branch: records the branch's frames as they are now in its Parallel's
   * frame (and so on outwards), before a checkpoint stores them. Null outside branches. Branches
   * run concurrently, so each one's stored progress changes only at its own checkpoints: a write
   * made by a sibling never stores a branch half-way between two of them.
   */
  recordBranch: ((requirementId?: string) => void) | null;
  /** True for retryRun(): a Step that failed runs again (an agent step resumes its agent run). */
  retrying: boolean;
  /** Passed on to step agents: continue their runs under a changed definition (see continueRun). */
  allowDefinitionChange: boolean;
  /** The clock of gate deadlines (WorkflowOptions.now). */
  now: () => number;
  /** Where agents without a db of their own store their runs: the workflow's db. */
  db: Db;
  signal: AbortSignal | undefined;
  /** Every output produced so far in this run, by step name. */
  outputs: Map<string, StepOutputState>;
  /** The decided requirement a continue resumes from; taken by the component that paused. */
  resolved: StepRequirementState | null;
  /** The latest output of each agent run touched in this drive, by run id. */
  executorRuns: Map<string, RunOutput>;
  emit: WorkflowEventListener | undefined;
  /** Ask agents to stream their model's text (RunContent events). */
  stream: boolean;
  /** Agent-run saves held to be stored with the workflow's next save (see execute()). */
  batch: WriteBatch;
  /** Step agents' runs claimed with the workflow run (tree-claim.ts), by run id, until continued. */
  agentClaims: Map<string, TreeTake>;
  /**
   * Runs any component (execute.ts). Composites run their children through it, so the runners
   * and the dispatch over them do not import each other.
   */
  execute: Execute;
}

/** How the engine runs one kind of component, resuming from `resume` (its frame first) when given. */
export type Runner<C> = (
  component: C,
  context: EngineContext,
  input: ExecInput,
  path: readonly number[],
  resume: Frame[] | null,
) => Promise<Outcome>;

/** The signature of execute() in execute.ts: a runner of any component. */
export type Execute = Runner<Component>;

/** Names the component an event is about. */
export function stepRef(
  context: EngineContext,
  component: { name: string; stepType: StepType },
  path: readonly number[],
): StepRef {
  const { runId, sessionId, workflowName } = context.state;
  return {
    runId,
    sessionId,
    workflowName,
    stepName: component.name,
    stepType: component.stepType,
    stepPath: [...path],
  };
}

/** How a component run ended: with an output, paused on a gate, or cancelled. */
export type Outcome =
  | { type: "done"; output: StepOutputState }
  | { type: "paused"; frames: Frame[] }
  | { type: "cancelled"; reason: string };

/** What flows into a component: the previous content and any gate-supplied data. */
export interface ExecInput {
  previousContent: string | null;
  additionalData: Record<string, unknown>;
}

/** A new frame of one component type, with its defaults (shapes.ts) and only its own fields. */
export function newFrame<T extends Frame["stepType"]>(
  stepType: T,
  phase: string,
  previousContent: string | null,
  additionalData: Record<string, unknown> | null = null,
): FrameOf<T> {
  const base = { phase, previousContent, additionalData };
  const sequence = { index: FRAME_DEFAULTS.index, outputs: [] };
  const frames: { [K in Frame["stepType"]]: () => FrameOf<K> } = {
    Workflow: () => ({ stepType: "Workflow", ...base, ...sequence }),
    Steps: () => ({ stepType: "Steps", ...base, ...sequence }),
    Condition: () => ({ stepType: "Condition", ...base, ...sequence, branch: FRAME_DEFAULTS.branch }),
    Router: () => ({
      stepType: "Router",
      ...base,
      ...sequence,
      selected: [],
      retryCount: FRAME_DEFAULTS.retryCount,
      output: FRAME_DEFAULTS.output,
    }),
    Loop: () => ({ stepType: "Loop", ...base, ...sequence, iteration: FRAME_DEFAULTS.iteration, iterations: [] }),
    Step: () => ({
      stepType: "Step",
      ...base,
      retryCount: FRAME_DEFAULTS.retryCount,
      output: FRAME_DEFAULTS.output,
      runId: FRAME_DEFAULTS.runId,
    }),
    Parallel: () => ({ stepType: "Parallel", ...base, branches: [] }),
  };
  return frames[stepType]() as FrameOf<T>;
}

/**
 * The frame of the component starting or resuming now: the stored one when resuming, else a
 * first frame (before its gates, with the input it was given). It is registered as running
 * (execute() drops it again when the component returns).
 */
export function enterFrame<T extends Frame["stepType"]>(
  context: EngineContext,
  stepType: T,
  resume: Frame[] | null,
  input: ExecInput,
): FrameOf<T> {
  const stored = resume?.[0];
  if (stored !== undefined && stored.stepType !== stepType) {
    throw new Error(`kern internal error: a ${stepType} resumed from a ${stored.stepType} frame.`);
  }
  const additionalData = Object.keys(input.additionalData).length > 0 ? input.additionalData : null;
  const frame =
    (stored as FrameOf<T> | undefined) ?? newFrame(stepType, "before", input.previousContent, additionalData);
  context.stack.push(frame);
  return frame;
}

export function makeOutput(
  name: string,
  stepType: StepType,
  content: string | null,
  extra: Partial<StepOutputState> = {},
): StepOutputState {
  return {
    stepName: name,
    stepType,
    content,
    success: true,
    skipped: false,
    error: null,
    executorRunId: null,
    steps: [],
    ...extra,
  };
}

/** A skipped component: no output of its own; the previous content flows on unchanged. */
export function skippedOutput(name: string, stepType: StepType, reason: string | null = null): StepOutputState {
  return makeOutput(name, stepType, null, { skipped: true, error: reason });
}

export function stepInputFor(context: EngineContext, input: ExecInput): StepInput {
  return new StepInput({
    input: context.input,
    previousStepContent: input.previousContent,
    additionalData: { ...(context.state.additionalData ?? {}), ...input.additionalData },
    outputs: context.outputs,
  });
}

/**
 * Appends a requirement (the new active entry) and returns the pause outcome for `frame`. Inside
 * a Parallel branch, the branch is recorded as paused at it at once (with the frames running now,
 * which are the frames the pause returns).
 */
export function pause(context: EngineContext, requirement: StepRequirementState, frame: Frame): Outcome {
  requirement.path = namePath(context.steps, requirement.stepPath);
  context.state.stepRequirements.push(requirement);
  context.recordBranch?.(requirement.id);
  return { type: "paused", frames: [frame] };
}

/** Takes the decided requirement for the component resuming now (it is used once). */
export function takeResolved(context: EngineContext): StepRequirementState {
  const resolved = context.resolved;
  if (resolved === null) {
    throw new Error("kern internal error: a paused component resumed without a decided requirement.");
  }
  context.resolved = null;
  return resolved;
}

/** The content that flows on after a list of outputs: the last non-skipped one. */
export function lastContent(outputs: readonly StepOutputState[], fallback: string | null): string | null {
  for (let index = outputs.length - 1; index >= 0; index -= 1) {
    const output = outputs[index];
    if (output !== undefined && !output.skipped) return output.content;
  }
  return fallback;
}

/** Records outputs by name, so later steps can read them (nested outputs too). */
export function rememberOutputs(context: EngineContext, outputs: readonly StepOutputState[]): void {
  for (const output of outputs) {
    rememberOutputs(context, output.steps);
    context.outputs.set(output.stepName, output);
  }
}

/** Rebuilds the by-name outputs from stored results and the cursor's partial outputs. */
export function rebuildOutputs(context: EngineContext, frames: readonly Frame[]): void {
  rememberOutputs(context, context.state.stepResults);
  rememberFrameOutputs(context, frames);
}

/** The partial outputs of a cursor's frames, a Parallel's finished branches and their own frames included. */
function rememberFrameOutputs(context: EngineContext, frames: readonly Frame[]): void {
  for (const frame of frames) {
    if ("iterations" in frame) rememberOutputs(context, frame.iterations);
    if ("outputs" in frame) rememberOutputs(context, frame.outputs);
    if (frame.stepType !== "Parallel") continue;
    for (const branch of frame.branches) {
      if (branch.output !== null) rememberOutputs(context, [branch.output]);
      rememberFrameOutputs(context, branch.frames);
    }
  }
}

import { note } from "@clack/prompts";
import { InvalidResolutionError } from "../errors.js";
import type { Principal } from "../runs/index.js";
import { type Workflow, WorkflowRunOutput, type WorkflowRunStream } from "../workflow/index.js";
import { applyDecision, describeDecision, type PauseAsker } from "./decision.js";
import { isPauseEvent, type PauseQuestion, questionFromEvent, questionFromRun } from "./pause-question.js";
import { pauseView } from "./pause-view.js";
import type { EventRenderer } from "./render.js";
import { SYMBOL, type Terminal } from "./terminal.js";

/** How a driven run ended for this process. */
export interface DriveResult {
  run: WorkflowRunOutput;
  /** How many pauses were answered here. */
  pauses: number;
  /** True when the person cancelled a prompt (or the pause cap was hit): the run is still paused. */
  leftPaused: boolean;
}

/** Who answers, where progress is shown, and the pause cap. */
export interface DriveOptions {
  workflow: Workflow;
  asker: PauseAsker;
  terminal: Terminal;
  renderer: EventRenderer;
  /** Stop (leaving the run paused) after this many pauses (`--once`; 50 by default, so `--approve` cannot loop forever). */
  maxPauses?: number;
  /** Who decides (`--as`); without one, decisions are recorded as made by code. */
  actor?: Principal;
}

/** Renders a stream's events as they arrive; returns the stored run and the question it paused on. */
async function follow(
  stream: WorkflowRunStream,
  renderer: EventRenderer,
): Promise<{ run: WorkflowRunOutput; question: PauseQuestion | null }> {
  let pause: Parameters<typeof questionFromEvent>[0] | null = null;
  for await (const event of stream) {
    renderer.render(event);
    if (isPauseEvent(event)) pause = event;
  }
  const run = await stream.output;
  const paused = run.stepRequirements.find((entry) => entry.id === pause?.requirementId);
  const agentName = (paused ?? run.stepRequirements.at(-1))?.executorName ?? null;
  return { run, question: pause === null ? questionFromRun(run) : questionFromEvent(pause, agentName) };
}

/** Asks until the decision applies; a value the requirement refuses is shown and asked again. */
async function decide(run: WorkflowRunOutput, question: PauseQuestion, options: DriveOptions): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    const decision = await options.asker.ask(question);
    if (decision === null) return false;
    try {
      applyDecision(run, decision, question.requirementId);
      options.terminal.line(
        SYMBOL.info,
        `${options.asker.who === "you" ? "You" : options.asker.who}: ${describeDecision(decision)}`,
        "yellow",
      );
      return true;
    } catch (error) {
      if (!(error instanceof InvalidResolutionError) || attempt >= 3) throw error;
      options.terminal.line(SYMBOL.warn, error.message, "red");
    }
  }
}

/** A `--set` value no pause used (the run had no form with that field) is named, not silently dropped. */
function warnUnused(options: DriveOptions): void {
  const unused = options.asker.unused?.() ?? [];
  if (unused.length === 0) return;
  const names = unused.map((name) => `--set ${name}`).join(", ");
  options.terminal.line(
    SYMBOL.warn,
    `${names} ${unused.length === 1 ? "was" : "were"} not used: no pause of this run asked for ${unused.length === 1 ? "it" : "them"}.`,
    "yellow",
  );
}

/**
 * Follows a run to its end: renders each event as it arrives, shows each pause as a question,
 * asks for a decision, applies it and continues the run, until it completes, is cancelled, or the
 * person leaves it paused. `first` is a fresh stream, or a stored paused run (`runs continue`).
 */
export async function drive(first: WorkflowRunStream | WorkflowRunOutput, options: DriveOptions): Promise<DriveResult> {
  const maxPauses = options.maxPauses ?? 50;
  let source = first;
  let resumed = false;
  for (let pauses = 0; ; pauses += 1) {
    const { run, question } =
      source instanceof WorkflowRunOutput
        ? { run: source, question: questionFromRun(source) }
        : await follow(source, options.renderer);
    if (run.isPaused && question === null && !resumed) {
      // recover() paused it at a checkpoint with nothing to decide: resume it.
      options.terminal.line(
        SYMBOL.info,
        "Resuming the run from its last checkpoint: nothing waits for a decision.",
        "yellow",
      );
      source = options.workflow.continueRunStream(run);
      resumed = true;
      pauses -= 1;
      continue;
    }
    resumed = false;
    if (!run.isPaused || question === null) {
      warnUnused(options);
      return { run, pauses, leftPaused: false };
    }
    if (pauses >= maxPauses) {
      options.terminal.line(
        SYMBOL.warn,
        `Answered ${maxPauses} ${maxPauses === 1 ? "pause" : "pauses"}; the run waits at the next one.`,
        "yellow",
      );
      return { run, pauses, leftPaused: true };
    }
    const view = pauseView(question, pauses + 1);
    options.terminal.endOpenLine();
    note(view.lines.join("\n"), view.title, { output: options.terminal.output });
    if (!(await decide(run, question, options))) return { run, pauses, leftPaused: true };
    source = options.workflow.continueRunStream(run, options.actor === undefined ? {} : { actor: options.actor });
  }
}

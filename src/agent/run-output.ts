import type { ModelMessage } from "../models/index.js";
import { type AgentRunState, decodeAgentRunState, RunView, requirementSites, subRunsOf } from "../runs/index.js";
import { RunRequirement } from "./run-requirement.js";
import { ToolExecution } from "./tool-execution.js";

/**
 * The result of an agent run: a thin view over the run's stored state. When the run is paused,
 * resolve its `activeRequirements` and pass it to `agent.continueRun`.
 */
export class RunOutput extends RunView {
  readonly #state: AgentRunState;
  #requirements: RunRequirement[] | undefined;

  constructor(state: AgentRunState) {
    super(state);
    this.#state = state;
  }

  /** Reads `toJSON()` output of any known schema version (migrating it), validated. */
  static fromJSON(json: unknown): RunOutput {
    return new RunOutput(decodeAgentRunState(json));
  }

  get agentId(): string {
    return this.#state.agentId;
  }
  get agentName(): string {
    return this.#state.agentName;
  }
  get content(): string | undefined {
    return this.#state.content ?? undefined;
  }
  get messages(): readonly ModelMessage[] {
    return this.#state.messages;
  }
  /** Every tool call of the run, in order. */
  get tools(): ToolExecution[] {
    const byCall = new Map(this.#state.requirements.map((requirement) => [requirement.toolCallId, requirement]));
    return this.#state.tools.map((execution) => new ToolExecution(execution, byCall.get(execution.toolCallId)));
  }
  /**
   * The runs of the agents this run called as tools (`agent.asTool()`), in call order. They live
   * inside this run: it is the one stored, claimed and continued, and their tool calls' requirements
   * are among this run's `requirements`.
   */
  get subRuns(): RunOutput[] {
    return subRunsOf(this.#state).map((sub) => new RunOutput(sub));
  }
  /**
   * Every requirement of the run, in order; earlier pauses' entries are frozen. Requirements of the
   * agents it called as tools follow its own, at any depth: each `path` names the agents that lead
   * to its tool.
   */
  get requirements(): RunRequirement[] {
    this.#requirements ??= [...requirementSites(this.#state)].map(
      ({ requirement, execution, path }) => new RunRequirement(requirement, execution, path),
    );
    return this.#requirements;
  }
  /** The requirements of the current pause that still wait for a decision, sub-agents' included. */
  get activeRequirements(): RunRequirement[] {
    return this.requirements.filter((requirement) => !requirement.isFrozen && !requirement.isResolved);
  }

  /** The plain, versioned state (`schemaVersion`); `RunOutput.fromJSON` reads it back. */
  toJSON(): AgentRunState {
    return this.#state;
  }
}

import type { ModelMessage } from "../models/index.js";
import { type AgentRunState, decodeAgentRunState, RunView } from "../runs/index.js";
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
  /** Every requirement of the run, in order; earlier pauses' entries are frozen. */
  get requirements(): RunRequirement[] {
    if (this.#requirements === undefined) {
      const byCall = new Map(this.#state.tools.map((execution) => [execution.toolCallId, execution]));
      this.#requirements = this.#state.requirements.flatMap((requirement) => {
        const execution = byCall.get(requirement.toolCallId);
        return execution === undefined ? [] : [new RunRequirement(requirement, execution)];
      });
    }
    return this.#requirements;
  }
  /** The requirements of the current pause that still wait for a decision. */
  get activeRequirements(): RunRequirement[] {
    return this.requirements.filter((requirement) => !requirement.isFrozen && !requirement.isResolved);
  }

  /** The plain, versioned state (`schemaVersion`); `RunOutput.fromJSON` reads it back. */
  toJSON(): AgentRunState {
    return this.#state;
  }
}

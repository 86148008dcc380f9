import type { RequirementState, ToolExecutionState } from "../runs/index.js";

/** One tool call the model made, with its outcome. A read-only view over stored run state. */
export class ToolExecution {
  readonly #state: ToolExecutionState;
  readonly #requirement: RequirementState | undefined;

  constructor(state: ToolExecutionState, requirement: RequirementState | undefined) {
    this.#state = state;
    this.#requirement = requirement;
  }

  get toolCallId(): string {
    return this.#state.toolCallId;
  }
  get toolName(): string {
    return this.#state.toolName;
  }
  get toolArgs(): Readonly<Record<string, unknown>> {
    return this.#state.toolArgs;
  }
  /** Where the tool comes from (e.g. "mcp:weather"), or undefined for a tool defined in code. */
  get origin(): string | undefined {
    return this.#state.origin ?? undefined;
  }
  /** Where the call is: `awaiting` a human, `running`, `done`, or `rejected` (never executed). */
  get phase(): ToolExecutionState["phase"] {
    return this.#state.phase;
  }
  get result(): string | undefined {
    return this.#state.result ?? undefined;
  }
  get error(): string | undefined {
    return this.#state.error ?? undefined;
  }
  get requiresConfirmation(): boolean {
    return this.#state.gate === "confirmation";
  }
  /** `true` once approved, `false` once rejected, `null` while undecided or ungated. */
  get confirmed(): boolean | null {
    const decision = this.#requirement?.decision;
    if (decision === null || decision === undefined) return null;
    return decision.type !== "reject";
  }
  get confirmationNote(): string | undefined {
    const decision = this.#requirement?.decision;
    return decision?.type === "reject" ? (decision.feedback ?? undefined) : undefined;
  }
  get requiresUserInput(): boolean {
    return this.#state.gate === "userInput";
  }
  get userInputSchema(): Readonly<Record<string, unknown>> | undefined {
    return this.#state.userInputSchema ?? undefined;
  }
  get externalExecutionRequired(): boolean {
    return this.#state.gate === "externalExecution";
  }

  toJSON(): ToolExecutionState {
    return this.#state;
  }
}

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
  /** The arguments the call runs (or ran) with: a person's edited ones, when they approved with edits. */
  get toolArgs(): Readonly<Record<string, unknown>> {
    return this.#state.toolArgs;
  }
  /** The arguments the model proposed, when a person approved the call with edited ones; else undefined. */
  get proposedArgs(): Readonly<Record<string, unknown>> | undefined {
    return this.#state.proposedArgs ?? undefined;
  }
  /** Whether a person may approve the call with edited arguments (`confirm({ args })`). */
  get editableArgs(): boolean {
    return this.#state.editableArgs;
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

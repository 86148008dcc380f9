import { InvalidResolutionError, RequirementResolvedError } from "../errors.js";
import type { GrantRequest, RequirementState, ToolDecision, ToolExecutionState } from "../runs/index.js";
import {
  checkGrantRequest,
  checkValues,
  copyConfirm,
  DecidedView,
  decodeRunRequirement,
  describeDecider,
  REQUIREMENT_SCHEMA_VERSION,
  toolCallDigest,
} from "../runs/index.js";
import { ToolExecution } from "./tool-execution.js";

const NEEDS: Record<RequirementState["kind"], string> = {
  confirmation: "call confirm() or reject(note)",
  userInput: "call provideUserInput(values) or reject(note)",
  externalExecution: "call setExternalExecutionResult(result) or reject(note)",
};

/** The decisions each kind takes, as JSON a client sends. */
const ACCEPTS: Record<RequirementState["kind"], string> = {
  confirmation: 'send {"type":"confirm"} or {"type":"reject","feedback":"why (optional)"}',
  userInput: 'send {"type":"input","values":{"field":"value"}} or {"type":"reject","feedback":"why (optional)"}',
  externalExecution:
    'send {"type":"result","result":"what the call returned"} or {"type":"reject","feedback":"why (optional)"}',
};

/** The decision type that fits each kind besides "reject". */
const FITS: Record<RequirementState["kind"], ToolDecision["type"]> = {
  confirmation: "confirm",
  userInput: "input",
  externalExecution: "result",
};

/**
 * One paused tool call waiting for a human. Resolve it with the method that fits its kind, then
 * call `continueRun`. A requirement from an earlier pause is frozen: resolving it throws.
 */
export class RunRequirement extends DecidedView {
  readonly #state: RequirementState;
  readonly #execution: ToolExecutionState;
  readonly #path: readonly string[];

  /** `path`: the names from the run's agent through any sub-agents to the tool (default: the tool's name). */
  constructor(state: RequirementState, execution: ToolExecutionState, path?: readonly string[]) {
    super(state);
    this.#state = state;
    this.#execution = execution;
    this.#path = path ?? [execution.toolName];
  }

  /**
   * Where the call waits: the names from the run's agent through each agent it called as a tool to
   * the tool itself, e.g. `["Planner", "Researcher", "web_search"]` for a call of Planner's
   * sub-agent Researcher, or `["AlertAgent", "send_alert"]` for the agent's own call.
   */
  get path(): readonly string[] {
    return this.#path;
  }

  /** SHA-256 of what this gate shows (tool, arguments, what it asks): what a decision link is bound to. */
  get shownDigest(): string {
    return toolCallDigest(this.#state.kind, this.#execution);
  }

  get id(): string {
    return this.#state.id;
  }
  get kind(): RequirementState["kind"] {
    return this.#state.kind;
  }
  get toolExecution(): ToolExecution {
    return new ToolExecution(this.#execution, this.#state);
  }
  get needsConfirmation(): boolean {
    return this.#state.kind === "confirmation";
  }
  get needsUserInput(): boolean {
    return this.#state.kind === "userInput";
  }
  get needsExternalExecution(): boolean {
    return this.#state.kind === "externalExecution";
  }
  get userInputSchema(): Readonly<Record<string, unknown>> | undefined {
    return this.#execution.userInputSchema ?? undefined;
  }
  /** What was decided, or null: `confirm`, `reject` (with feedback), `input` (values) or `result`. */
  get decision(): Readonly<ToolDecision> | null {
    return this.#state.decision;
  }
  get isResolved(): boolean {
    return this.#state.decision !== null;
  }
  /** True when this requirement belongs to an earlier pause and can no longer change. */
  get isFrozen(): boolean {
    return this.#state.frozen;
  }
  /** True when recover() asks whether to run again a call that may or may not have run. */
  get isRecovered(): boolean {
    return this.#state.recovered;
  }
  /**
   * True when the call was approved but its tool's definition (on an MCP server, say) changed
   * before it ran: it did not run, and this requirement asks again under the new definition.
   */
  get definitionChanged(): boolean {
    return this.#state.definitionChanged;
  }
  /** When the call's deadline passes (its tool's `timeout`), or null without one. */
  get timeoutAt(): Date | null {
    return this.#state.timeout === null ? null : new Date(this.#state.timeout.at);
  }
  /** Set once a lapsed deadline escalated the call: its level, and the approvers who alone may decide it now. */
  get escalation(): Readonly<{ level: number; approvers: readonly string[] }> | null {
    const escalation = this.#state.escalation;
    return escalation === null ? null : { level: escalation.level, approvers: escalation.to };
  }
  /** What the requirement still needs, in words, e.g. for an error or a prompt. */
  get needs(): string {
    if (this.#state.recovered)
      return "it may or may not have run before a crash: call confirm() to run it again or reject(note) to skip it";
    if (this.#state.definitionChanged)
      return `its tool's definition changed since it was approved: ${NEEDS[this.#state.kind]}`;
    return NEEDS[this.#state.kind];
  }
  /** What the requirement still needs, as JSON decisions a client sends. */
  get accepts(): string {
    if (this.#state.recovered)
      return 'it may or may not have run before a crash: send {"type":"confirm"} to run it again or {"type":"reject"} to skip it';
    if (this.#state.definitionChanged)
      return `its tool's definition changed since it was approved: ${ACCEPTS[this.#state.kind]}`;
    return ACCEPTS[this.#state.kind];
  }
  get description(): string {
    const { toolName, origin } = this.#execution;
    const via = this.#path.length > 2 ? ` of agent '${this.#path.at(-2) ?? ""}' (${this.#path.join(" › ")})` : "";
    return `tool call '${toolName}'${origin === null ? "" : ` of ${origin}`}${via} (${this.#state.id})`;
  }

  /**
   * Approves the tool call; it runs exactly once on continue. With `args`, approves it with
   * corrected arguments (the whole object), which continueRun checks against the tool's schema
   * before anything is stored; the model is told which arguments were used.
   *
   * @example
   * requirement.confirm({ args: { ...requirement.toolExecution.toolArgs, city: "Osaka" } });
   * // and allow its later calls in this session without asking, for an hour:
   * requirement.confirm({ grant: { scope: "session", expiresInSeconds: 3600 } });
   */
  confirm(options: { args?: Record<string, unknown>; grant?: GrantRequest } = {}): void {
    const { args, grant } = options;
    const decision: ToolDecision = {
      type: "confirm",
      ...(args === undefined ? {} : { args }),
      ...(grant === undefined ? {} : { grant }),
    };
    this.#decide(
      decision,
      args !== undefined ? "confirm({ args })" : grant !== undefined ? "confirm({ grant })" : "confirm()",
    );
  }

  /** Refuses the tool call; it never runs and the model is told, with the note if given. */
  reject(note?: string): void {
    if (note !== undefined && typeof note !== "string") {
      throw new InvalidResolutionError(this.id, `reject(note) takes a string note, got ${typeof note}.`);
    }
    this.#decide({ type: "reject", feedback: note ?? null }, "reject(note)");
  }

  /** Supplies the fields the human must fill; all are checked first, nothing changes on failure. */
  provideUserInput(values: Record<string, unknown>): void {
    this.#decide({ type: "input", values }, "provideUserInput(values)");
  }

  /** Supplies the result of a tool the caller executed itself. */
  setExternalExecutionResult(result: string): void {
    this.#decide({ type: "result", result }, "setExternalExecutionResult(result)");
  }

  /** Applies a decision given as data (e.g. JSON from an HTTP client), with the same checks; errors speak of JSON. */
  applyDecision(decision: ToolDecision): void {
    this.#decide(decision, null);
  }

  #decide(decision: ToolDecision, method: string | null): void {
    this.#assertOpen();
    if (decision.type !== "reject" && decision.type !== FITS[this.#state.kind]) {
      const what = method ?? `a decision of type ${JSON.stringify(decision.type)}`;
      throw new InvalidResolutionError(
        this.id,
        `${what} does not fit ${this.description}, which needs ${this.#state.kind}; ${method === null ? this.accepts : this.needs}.`,
      );
    }
    const what = method ?? `the ${decision.type} decision`;
    if (decision.type === "result" && typeof decision.result !== "string")
      throw new InvalidResolutionError(this.id, `${what} takes the result as a string.`);
    if (decision.type === "confirm" && decision.args !== undefined) this.#checkEditable(decision.args, what);
    if (decision.type === "confirm" && decision.grant !== undefined) checkGrantRequest(this.id, decision.grant, what);
    if (decision.type === "input") {
      const values: unknown = decision.values;
      if (typeof values !== "object" || values === null || Array.isArray(values))
        throw new InvalidResolutionError(this.id, `${what} takes an object of field values.`);
      const problems = checkValues(decision.values, this.#execution.userInputSchema ?? {});
      if (problems.length > 0)
        throw new InvalidResolutionError(
          this.id,
          `User input for ${this.description} is invalid: ${problems.join("; ")}. Nothing was changed.`,
        );
    }
    // Values are copied: changing the caller's object afterwards must not change the decision.
    if (decision.type === "input") this.#state.decision = { type: "input", values: { ...decision.values } };
    else if (decision.type === "confirm" && (decision.args !== undefined || decision.grant !== undefined))
      this.#state.decision = copyConfirm(decision);
    else this.#state.decision = decision;
  }

  /** Edited arguments must be an object, for a call its tool lets a person edit. */
  #checkEditable(args: unknown, what: string): void {
    if (typeof args !== "object" || args === null || Array.isArray(args))
      throw new InvalidResolutionError(this.id, `${what} takes the edited arguments as an object.`);
    if (!this.#execution.editableArgs) {
      const why =
        this.#execution.gate === "confirmation"
          ? "its tool does not allow edited arguments (editableArgs: false)"
          : "only a call behind a confirmation gate can be";
      throw new InvalidResolutionError(
        this.id,
        `${this.description} cannot be approved with edited arguments: ${why}. Approve it as proposed or reject it.`,
      );
    }
  }

  /**
   * Plain, versioned JSON: the requirement, its `decision` and its tool call.
   * `continueRun({ runId, sessionId, requirements })` reads `id` and `decision` from it.
   */
  toJSON(): RequirementState & {
    schemaVersion: number;
    path: string[];
    toolName: string;
    toolArgs: Record<string, unknown>;
    toolExecution: ToolExecutionState;
  } {
    // A sub-agent's run stays with the run that holds it: the JSON shows the call, not that run.
    const toolExecution = this.#execution.subRun === null ? this.#execution : { ...this.#execution, subRun: null };
    return {
      schemaVersion: REQUIREMENT_SCHEMA_VERSION,
      ...this.#state,
      path: [...this.#path],
      toolName: this.#execution.toolName,
      toolArgs: this.#execution.toolArgs,
      toolExecution,
    };
  }

  /** Reads toJSON() output back (checks schemaVersion, validates). */
  static fromJSON(json: unknown): RunRequirement {
    const { requirement, execution, path } = decodeRunRequirement(json);
    return new RunRequirement(requirement, execution, path);
  }

  #assertOpen(): void {
    if (this.#state.frozen) {
      throw new RequirementResolvedError(
        this.id,
        `it was already decided (${this.#state.decision?.type ?? "closed"}) by ${describeDecider(this.decidedBy, this.decidedAt)}`,
      );
    }
  }
}

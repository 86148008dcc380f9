import type { RequirementState, ToolExecutionState } from "./agent-run-state.js";
import { digestOf } from "./audit.js";
import type { DecidedBy } from "./principal.js";
import type { StepRequirementState } from "./workflow-run-state.js";

/**
 * What a person is shown for a gated tool call: which tool (and where it comes from, for tools
 * that say), with what arguments, asking what. A tool without an origin is shown as before
 * origins existed, so the digests of requirements stored then do not change.
 */
function toolCallShown(kind: RequirementState["kind"], execution: ToolExecutionState): unknown {
  return {
    kind,
    toolName: execution.toolName,
    // The arguments as proposed: a call approved with edited ones was shown (and decided) with these.
    toolArgs: execution.proposedArgs ?? execution.toolArgs,
    userInputSchema: execution.userInputSchema,
    ...(execution.origin === null ? {} : { origin: execution.origin }),
  };
}

/** The digest of what a tool call's gate shows; the same until it is decided, and after. */
export function toolCallDigest(kind: RequirementState["kind"], execution: ToolExecutionState): string {
  return digestOf(toolCallShown(kind, execution));
}

/**
 * The digest of what a workflow gate shows: the requirement as stored, without what deciding it
 * changes (the decision, who decided, when, and whether it is frozen). An executor pause shows its
 * tool calls. The `path` of names is left out: it only spells out `stepPath`, and requirements
 * stored before it existed keep their digests.
 */
export function stepGateDigest(requirement: StepRequirementState): string {
  if (requirement.kind === "executor") {
    const { calls, decidedBy: _by, decidedAt: _at, frozen: _frozen, path: _path, ...rest } = requirement;
    return digestOf({
      ...rest,
      calls: calls.map((call) => toolCallShown(call.requirement.kind, call.execution)),
    });
  }
  const { decision: _decision, decidedBy: _by, decidedAt: _at, frozen: _frozen, path: _path, ...shown } = requirement;
  return digestOf(shown);
}

/** Who decided and when, as both requirement views expose them. */
export abstract class DecidedView {
  readonly #decided: { decidedBy: DecidedBy | null; decidedAt: string | null };

  constructor(decided: { decidedBy: DecidedBy | null; decidedAt: string | null }) {
    this.#decided = decided;
  }

  /** Who decided: a principal (`{ kind: "principal", id, roles }`), code (`kern:code`) or a deadline (`kern:timeout`). */
  get decidedBy(): Readonly<DecidedBy> | null {
    return this.#decided.decidedBy;
  }
  /** When it was decided (ISO 8601), or null. */
  get decidedAt(): string | null {
    return this.#decided.decidedAt;
  }
}

import type { AgentRunState, RequirementState, ToolExecutionState } from "./agent-run-state.js";

/**
 * Agents as tools: a call of a tool made by `agent.asTool()` keeps the run of that agent inside the
 * calling run (`execution.subRun`), and so on at any depth. A requirement of a sub-run is decided
 * through the outermost run, which is the one stored, claimed and continued: these helpers find
 * every requirement of such a tree, with the path of names that leads to it.
 */

/** One requirement anywhere in an agent run's tree. */
export interface RequirementSite {
  /** The run (the outermost, or a sub-run at any depth) whose call it gates. */
  owner: AgentRunState;
  requirement: RequirementState;
  /** The call it gates, in `owner`. */
  execution: ToolExecutionState;
  /** The names from the outermost run's agent through each sub-agent to the tool: ["Planner", "Researcher", "web_search"]. */
  path: string[];
}

/** The latest execution of a call (a model may reuse call ids across turns). */
function executionOf(state: AgentRunState, toolCallId: string): ToolExecutionState | undefined {
  return state.tools.findLast((entry) => entry.toolCallId === toolCallId);
}

/** The sub-runs of a run's agent-tool calls, in call order (not their own sub-runs). */
export function subRunsOf(state: AgentRunState): AgentRunState[] {
  return state.tools.flatMap((execution) => (execution.subRun === null ? [] : [execution.subRun]));
}

/** Every run of the tree, the outermost first, each before its sub-runs. */
export function* runsOfTree(state: AgentRunState): Generator<AgentRunState> {
  yield state;
  for (const sub of subRunsOf(state)) yield* runsOfTree(sub);
}

/**
 * Every requirement of the tree, in order: the run's own first (as stored), then each sub-run's, in
 * call order. `prefix` names the runs above `state` (none for the outermost).
 */
export function* requirementSites(state: AgentRunState, prefix: readonly string[] = []): Generator<RequirementSite> {
  const here = [...prefix, state.agentName];
  for (const requirement of state.requirements) {
    const execution = executionOf(state, requirement.toolCallId);
    if (execution !== undefined) yield { owner: state, requirement, execution, path: [...here, execution.toolName] };
  }
  for (const sub of subRunsOf(state)) yield* requirementSites(sub, here);
}

/** The requirement with this id anywhere in the tree, or undefined. */
export function findSite(state: AgentRunState, requirementId: string): RequirementSite | undefined {
  for (const site of requirementSites(state)) if (site.requirement.id === requirementId) return site;
  return undefined;
}

/** True when a requirement waits for a person: not consumed by a continue, and undecided. */
export function isOpen(requirement: RequirementState): boolean {
  return !requirement.frozen && requirement.decision === null;
}

/** The requirements of the tree that wait for a person, in order. */
export function openSites(state: AgentRunState): RequirementSite[] {
  return [...requirementSites(state)].filter((site) => isOpen(site.requirement));
}

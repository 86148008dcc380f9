type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Gives each tool call of an executor pause stored (or sent) before calls had a `path` the path it
 * had then: the step's agent's name and the tool's (agents could not call agents as tools yet).
 * Anything else is returned as it is. Pure: state migration 6 -> 7 and requirement JSON of version
 * 5 and older use it.
 */
export function withCallPaths(requirement: unknown): unknown {
  if (!isObject(requirement) || requirement["kind"] !== "executor" || !Array.isArray(requirement["calls"]))
    return requirement;
  const executor = isObject(requirement["executor"]) ? requirement["executor"] : {};
  const agentName = typeof executor["name"] === "string" ? executor["name"] : "agent";
  const calls = requirement["calls"].map((call: unknown) => {
    if (!isObject(call) || (Array.isArray(call["path"]) && call["path"].length > 0)) return call;
    const execution = isObject(call["execution"]) ? call["execution"] : {};
    const toolName = typeof execution["toolName"] === "string" ? execution["toolName"] : "tool";
    return { ...call, path: [agentName, toolName] };
  });
  return { ...requirement, calls };
}

/** Workflow state 6 -> 7: every executor pause's calls get their path (see withCallPaths). */
export function migrateWorkflowRunV6(state: Json): Json {
  const requirements = state["stepRequirements"];
  return Array.isArray(requirements) ? { ...state, stepRequirements: requirements.map(withCallPaths) } : state;
}

// Scenario 9: the stale-requirement trap, on scenario 1's workflow. After the second pause, the
// first pause's requirement is history: resolving it again throws, and continuing while the tool
// call is still undecided throws too, leaving the stored run as it was, still continuable.
//   node --conditions=kern-source --import tsx examples/workflows/human-in-the-loop/nested/09_stale_requirement_trap.ts
// Runs against OpenAI when OPENAI_API_KEY is set, else on a scripted model.
import { RequirementResolvedError, UnresolvedRequirementError } from "kern";
import { build } from "./01_step_confirmation_and_tool_confirmation.js";
import { describePause, isMain } from "./shared.js";

export { build, script } from "./01_step_confirmation_and_tool_confirmation.js";

/** Runs `attempt` and says which kern error it threw, or that it did not throw. */
export async function outcomeOf(attempt: () => unknown): Promise<string> {
  try {
    await attempt();
    return "no error";
  } catch (error) {
    if (error instanceof RequirementResolvedError || error instanceof UnresolvedRequirementError)
      return `${error.name}: ${error.message}`;
    throw error;
  }
}

if (isMain(import.meta.url)) {
  const { workflow } = build();
  const first = await workflow.run("Send a weather alert for Tokyo about heavy rain");
  console.log(describePause(first), "→ approve");
  first.stepRequirements[0]?.confirm();
  const second = await workflow.continueRun(first);
  console.log(describePause(second));
  console.log("re-confirm the first pause →", await outcomeOf(() => second.stepRequirements[0]?.confirm()));
  console.log("continue with the tool call undecided →", await outcomeOf(() => workflow.continueRun(second)));
  const stored = await workflow.getRunOutput(second.runId, second.sessionId);
  console.log(
    `stored run is still ${stored.status}, paused at ${stored.pauseKind ?? "nothing"}; approving the tool call`,
  );
  for (const call of second.stepRequirements[1]?.executorRequirements ?? []) call.confirm();
  const done = await workflow.continueRun(second);
  console.log(`${done.status}: ${done.content ?? ""}`);
}

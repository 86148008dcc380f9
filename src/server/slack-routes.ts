import { Hono } from "hono";
import { z } from "zod";
import {
  APPROVE_ACTION,
  decidedMessage,
  REJECT_ACTION,
  refOf,
  type SlackClient,
  type SlackDecisionRef,
  slackOk,
  verifySlackSignature,
} from "../channels/index.js";
import { KernError } from "../errors.js";
import type { Principal } from "../runs/index.js";
import type { ServerEnv } from "./auth/index.js";
import { badRequest, NotAuthenticatedError, RequestError } from "./http-errors.js";
import { loadRun, type ServedRuns, type SlackSetup } from "./slack.js";
import { decidedOutcome, showsStill } from "./slack-view.js";

/** The endpoint to enter as the Slack app's Interactivity Request URL. */
export const SLACK_INTERACTIONS_PATH = "/api/slack/interactions";

const block = z.looseObject({});
const interactionSchema = z.looseObject({
  type: z.string(),
  user: z.looseObject({
    id: z.string().min(1),
    username: z.string().optional(),
    name: z.string().optional(),
    team_id: z.string().optional(),
  }),
  channel: z.looseObject({ id: z.string().min(1) }),
  message: z.looseObject({ ts: z.string().min(1), blocks: z.array(block).optional() }),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })),
});
type Interaction = z.infer<typeof interactionSchema>;

/** One button press to apply: who, which requirement, what, and the message to update. */
interface Press {
  user: Interaction["user"];
  channel: string;
  ts: string;
  blocks: readonly Record<string, unknown>[];
  ref: SlackDecisionRef;
  approve: boolean;
}

function pressOf(body: string): Press | null {
  const raw = new URLSearchParams(body).get("payload");
  let parsed: unknown;
  try {
    parsed = raw === null ? undefined : JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const result = interactionSchema.safeParse(parsed);
  if (!result.success)
    throw badRequest(
      `${SLACK_INTERACTIONS_PATH} takes Slack's interaction payloads (a form field \`payload\` holding JSON).`,
    );
  const interaction = result.data;
  if (interaction.type !== "block_actions") return null;
  const action = interaction.actions.find((a) => a.action_id === APPROVE_ACTION || a.action_id === REJECT_ACTION);
  const ref = action?.value === undefined ? null : refOf(action.value);
  if (action === undefined || ref === null) return null;
  const { user, channel, message } = interaction;
  const blocks = message.blocks ?? [];
  return { user, channel: channel.id, ts: message.ts, blocks, ref, approve: action.action_id === APPROVE_ACTION };
}

/**
 * `POST /api/slack/interactions`: Slack's requests when someone presses Approve or Reject. It
 * checks Slack's signature (401 otherwise) and who pressed: a Slack user `users` does not link, or
 * whose principal the gate's approvers refuse, gets 403 and a private message, and nothing changes.
 * Otherwise it answers 200 at once (Slack waits 3 seconds at most), then applies the decision as
 * that principal and updates the message to say who decided (who decided first, if someone did).
 */
export function slackRoutes(
  served: ServedRuns,
  setup: SlackSetup,
  log: (line: string) => void,
  pending: Set<Promise<void>>,
): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const later = (press: Press, work: () => Promise<void>): void => {
    const task: Promise<void> = work()
      .catch((error: unknown) =>
        log(
          `kern/server: a Slack decision on run ${press.ref.runId} failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      )
      .finally(() => pending.delete(task));
    pending.add(task);
  };
  app.post("/interactions", async (c) => {
    const body = await c.req.text();
    const signed = {
      body,
      timestamp: c.req.header("x-slack-request-timestamp"),
      signature: c.req.header("x-slack-signature"),
    };
    if (!verifySlackSignature(setup.signingSecret, signed))
      throw new NotAuthenticatedError(
        "This request does not carry a valid Slack signature (X-Slack-Signature over a timestamp less than five minutes old); nothing was decided.",
      );
    const press = pressOf(body);
    if (press === null) return c.body(null, 200);
    const slack = await setup.client();
    const verdict = await judge(served, setup, press);
    if (verdict.refused !== undefined) {
      const text = verdict.refused;
      later(press, () => tell(slack, press, text));
      throw new RequestError(403, "KERN_FORBIDDEN", text);
    }
    later(press, () =>
      verdict.decidedBefore === undefined
        ? apply(served, slack, press, verdict.actor)
        : update(slack, press, verdict.decidedBefore),
    );
    return c.body(null, 200);
  });
  return app;
}

/** What a press may do: be refused (why), find the requirement decided already (by whom), or decide as `actor`. */
type Verdict =
  | { refused: string; decidedBefore?: undefined; actor?: undefined }
  | { refused?: undefined; decidedBefore: string; actor?: undefined }
  | { refused?: undefined; decidedBefore?: undefined; actor: Principal };

async function judge(served: ServedRuns, setup: SlackSetup, press: Press): Promise<Verdict> {
  const { ref, user } = press;
  const principal = await setup.principalOf({
    id: user.id,
    teamId: user.team_id ?? null,
    username: user.username ?? null,
    name: user.name ?? null,
  });
  if (principal === null)
    return {
      refused: `Your Slack account (${user.id}) is not linked to anyone kern knows, so nothing was decided. Ask whoever runs kern to add it to createServer({ slack: { users } }).`,
    };
  const run = await loadRun(served, ref);
  if (run === null) return { refused: `This server does not serve ${ref.kind} '${ref.ownerId}'; nothing was decided.` };
  const earlier = decidedOutcome(run, ref.ownerId, ref.requirementId);
  if (earlier !== null) return { decidedBefore: earlier };
  if (!showsStill(run, ref))
    return {
      refused:
        "What this message showed has changed since it was posted; nothing was decided. Open the inbox to see it as it is now.",
    };
  const allowed =
    "stepRequirements" in run
      ? served.workflows.get(ref.ownerId)?.canDecide(principal, run, ref.requirementId)
      : served.agents.get(ref.ownerId)?.canDecide(principal, run, ref.requirementId);
  if (allowed !== true)
    return {
      refused: `You (${principal.id}) may not decide this: the gate's approvers do not include you. Nothing was decided.`,
    };
  return { actor: principal };
}

async function tell(slack: SlackClient, press: Press, text: string): Promise<void> {
  slackOk("chat.postEphemeral", await slack.chat.postEphemeral({ channel: press.channel, user: press.user.id, text }));
}

/** Decides, then updates the message from what the store says now (who decided, even if another press won). */
async function apply(served: ServedRuns, slack: SlackClient, press: Press, actor: Principal): Promise<void> {
  const { ref } = press;
  const failure = await decide(served, ref, actor, press.approve);
  const now = await loadRun(served, ref);
  const outcome = now === null ? null : decidedOutcome(now, ref.ownerId, ref.requirementId);
  if (outcome !== null) return update(slack, press, outcome);
  const why = failure instanceof KernError ? failure.message : "kern could not apply it (the server log says why)";
  return tell(slack, press, `Nothing was decided: ${why}`);
}

async function update(slack: SlackClient, press: Press, outcome: string): Promise<void> {
  const message = decidedMessage(press.blocks, outcome);
  slackOk("chat.update", await slack.chat.update({ channel: press.channel, ts: press.ts, ...message }));
}

/** Continues the run with the decision as `actor`; resolves with the error it failed with, if any. */
async function decide(served: ServedRuns, ref: SlackDecisionRef, actor: Principal, approve: boolean): Promise<unknown> {
  const decision = approve ? { type: "confirm" as const } : { type: "reject" as const, feedback: null };
  const input = {
    runId: ref.runId,
    sessionId: ref.sessionId,
    decisions: [{ requirementId: ref.requirementId, decision }],
  };
  try {
    if (ref.kind === "workflow") await served.workflows.get(ref.ownerId)?.continueRun(input, { actor });
    else await served.agents.get(ref.ownerId)?.continueRun(input, { actor });
    return undefined;
  } catch (error) {
    return error;
  }
}

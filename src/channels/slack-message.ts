import type { RunKind } from "../db/index.js";
import type { SlackMessage } from "./slack-client.js";

/** Which open requirement a message's buttons decide, and the digest of what it showed. */
export interface SlackDecisionRef {
  kind: RunKind;
  ownerId: string;
  runId: string;
  sessionId: string;
  requirementId: string;
  shownDigest: string;
}

/** What a Slack message shows of one open requirement: read from the stored run when the pause event is sent. */
export interface SlackRequirementView {
  ref: SlackDecisionRef;
  /** e.g. "agent 'Pinger'" or "workflow 'deploys', step 'deploy'". */
  where: string;
  /** The gate's question, when it has one. */
  question: string | null;
  /** A tool call's tool and arguments; null for a step gate. */
  toolName: string | null;
  args: Readonly<Record<string, unknown>> | null;
  /** Approve/Reject buttons: a confirmation. Anything else (input, a route) is answered in the inbox. */
  confirmable: boolean;
  /** The inbox page, for what a button cannot answer. */
  inboxUrl: string | null;
}

export const APPROVE_ACTION = "kern_approve";
export const REJECT_ACTION = "kern_reject";
const ACTIONS_BLOCK = "kern_actions";
/** Slack's limits: 2 000 characters per button value, 3 000 per text object. */
const MAX_VALUE = 2_000;
const MAX_TEXT = 2_900;

/** Text Slack shows as written: `&`, `<` and `>` escaped, so no `<!channel>` or link can be smuggled in. */
export function escapeSlack(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function clip(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 1)}…`;
}

function plain(text: string): Record<string, unknown> {
  return { type: "plain_text", text: clip(text), emoji: false };
}

/** A button's value: the requirement it decides, as a compact JSON array. */
export function refValue(ref: SlackDecisionRef): string {
  return JSON.stringify([ref.kind, ref.ownerId, ref.runId, ref.sessionId, ref.requirementId, ref.shownDigest]);
}

/** The requirement a button's value names; null when it is not one kern wrote. */
export function refOf(value: string): SlackDecisionRef | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 6 || !parsed.every((part) => typeof part === "string")) return null;
  const [kind, ownerId, runId, sessionId, requirementId, shownDigest] = parsed as string[];
  if (kind !== "agent" && kind !== "workflow") return null;
  return {
    kind,
    ownerId: ownerId ?? "",
    runId: runId ?? "",
    sessionId: sessionId ?? "",
    requirementId: requirementId ?? "",
    shownDigest: shownDigest ?? "",
  };
}

/** The message posted when a requirement pauses its run: what, where, the arguments, and the buttons. */
export function pauseMessage(view: SlackRequirementView): SlackMessage {
  const what = view.toolName === null ? "A step" : `Tool call \`${view.toolName}\``;
  const text = escapeSlack(
    `${what} of ${view.where} waits for a decision${view.question === null ? "." : `: ${view.question}`}`,
  );
  const lines = [`${view.toolName === null ? "Step gate" : `Tool: ${view.toolName}`} · ${view.where}`];
  if (view.question !== null) lines.push(view.question);
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: plain("Approval needed") },
    { type: "section", text: plain(lines.join("\n")) },
  ];
  if (view.args !== null)
    blocks.push({ type: "section", text: plain(`Arguments:\n${JSON.stringify(view.args, null, 2)}`) });
  blocks.push({ type: "context", elements: [plain(`Run ${view.ref.runId} · requirement ${view.ref.requirementId}`)] });
  const value = refValue(view.ref);
  if (view.confirmable && value.length <= MAX_VALUE) {
    blocks.push({
      type: "actions",
      block_id: ACTIONS_BLOCK,
      elements: [
        { type: "button", action_id: APPROVE_ACTION, style: "primary", text: plain("Approve"), value },
        { type: "button", action_id: REJECT_ACTION, style: "danger", text: plain("Reject"), value },
      ],
    });
  } else {
    const where = view.inboxUrl === null ? "the kern inbox" : view.inboxUrl;
    blocks.push({ type: "section", text: plain(`Answer it in ${where}.`) });
  }
  return { text, blocks };
}

/** The message once decided: what it showed, without the buttons, and who decided what, when. */
export function decidedMessage(shown: readonly Record<string, unknown>[], outcome: string): SlackMessage {
  const kept = shown.filter((block) => block["block_id"] !== ACTIONS_BLOCK && block["type"] !== "actions");
  return { text: escapeSlack(outcome), blocks: [...kept, { type: "section", text: plain(outcome) }] };
}

import type { Agent } from "../agent/index.js";
import {
  type Channel,
  type ChannelEvent,
  checkDispatcher,
  type Dispatcher,
  type DispatcherOptions,
  type EventLink,
  startDispatcher,
  type WebhookOptions,
  webhookChannel,
} from "../channels/index.js";
import type { Db } from "../db/index.js";
import type { Principal } from "../runs/index.js";
import type { Workflow } from "../workflow/index.js";
import { type DecisionLinkOptions, issueDecisionLink } from "./decision-links.js";
import { openDigest } from "./open-requirement.js";

/** A webhook of `createServer({ webhooks })`. */
export interface ServerWebhook extends Omit<WebhookOptions, "decisionLink"> {
  /**
   * With `decisionLinks` on the server: pause events carry a signed one-time link that decides
   * as this principal (under the gate's approvers), so the receiver can forward it to them.
   */
  linkApprover?: Principal;
  /** How long such a link lives (default 24 h). */
  linkExpiresInSeconds?: number;
}

/** How the server's dispatcher polls, claims and retries (see DispatcherOptions). */
export type WebhookDelivery = Pick<
  DispatcherOptions,
  "intervalMs" | "leaseMs" | "batchSize" | "backoff" | "retainDeliveredMs"
>;

interface Served {
  db: Db;
  workflows: ReadonlyMap<string, Workflow>;
  agents: ReadonlyMap<string, Agent>;
  links: DecisionLinkOptions | undefined;
  log: (line: string) => void;
}

/** Checks the webhooks at createServer() time: a mistake throws ConfigurationError before anything starts. */
export function checkWebhooks(webhooks: readonly ServerWebhook[], delivery: WebhookDelivery): void {
  if (webhooks.length > 0)
    checkDispatcher({ ...delivery, channels: webhooks.map((webhook) => webhookChannel(webhook)) });
}

/** Starts the server's dispatcher for its webhooks and `others` (Slack); `baseUrl` prefixes decision links (the listener's URL). */
export function startWebhooks(
  webhooks: readonly ServerWebhook[],
  delivery: WebhookDelivery,
  served: Served,
  baseUrl: string,
  others: readonly Channel[] = [],
): Dispatcher | undefined {
  if (webhooks.length === 0 && others.length === 0) return undefined;
  const hooks = webhooks.map(({ linkApprover, linkExpiresInSeconds, ...webhook }) => {
    const { links } = served;
    if (linkApprover === undefined || links === undefined) return webhookChannel(webhook);
    const decisionLink = (event: ChannelEvent): Promise<EventLink | null> =>
      linkFor(served, links, event, linkApprover, linkExpiresInSeconds).then((token) =>
        token === null ? null : { url: `${baseUrl}/api/decisions/${token.token}`, expiresAt: token.expiresAt },
      );
    return webhookChannel({ ...webhook, decisionLink });
  });
  return startDispatcher({ ...delivery, db: served.db, channels: [...hooks, ...others], log: served.log });
}

/** A link for the event's requirement while it is still open; null once it was decided or its run is not served. */
async function linkFor(
  served: Served,
  links: DecisionLinkOptions,
  event: ChannelEvent,
  approver: Principal,
  expiresInSeconds: number | undefined,
): Promise<{ token: string; expiresAt: string } | null> {
  const { kind, id: runId, sessionId, ownerId } = event.run;
  const owner = kind === "workflow" ? served.workflows.get(ownerId) : served.agents.get(ownerId);
  if (owner === undefined) return null;
  const run = await owner.getRunOutput(runId, sessionId);
  // A step's executor pause decides its tool calls: the link decides the one call it waits on.
  const step =
    "stepRequirements" in run ? run.stepRequirements.find((entry) => entry.id === event.requirementId) : undefined;
  const open = step?.requiresExecutorInput === true ? step.executorRequirements.filter((call) => !call.isFrozen) : [];
  const requirementId =
    step?.requiresExecutorInput === true && open.length === 1 ? (open[0]?.id ?? "") : event.requirementId;
  let shownDigest: string;
  try {
    shownDigest = openDigest(run, requirementId);
  } catch {
    return null;
  }
  const claims = { kind, ownerId, runId, sessionId, requirementId, shownDigest, approver };
  return issueDecisionLink(links, claims, expiresInSeconds);
}

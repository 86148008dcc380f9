import type { Agent, RunOutput } from "../agent/index.js";
import {
  type Channel,
  checkSlackChannel,
  type SlackClient,
  type SlackConnection,
  type SlackDecisionRef,
  slackChannel,
  slackClientOf,
} from "../channels/index.js";
import type { Db } from "../db/index.js";
import { ConfigurationError } from "../errors.js";
import type { Principal } from "../runs/index.js";
import type { Workflow, WorkflowRunOutput } from "../workflow/index.js";
import { slackViews } from "./slack-view.js";

/** The Slack user who clicked a button, as the interaction payload names them. */
export interface SlackUser {
  id: string;
  teamId: string | null;
  username: string | null;
  name: string | null;
}

/** Which kern principal a Slack user decides as; null: nobody (they are told so, and nothing changes). */
export type SlackUsers =
  | Readonly<Record<string, Principal>>
  | ((user: SlackUser) => Principal | null | Promise<Principal | null>);

/** `createServer({ slack })`: pauses posted to a Slack channel with buttons that decide them. */
export interface ServerSlack extends SlackConnection {
  /** The app's signing secret (Basic Information → App Credentials); interaction requests are checked with it. */
  signingSecret: string;
  /** The conversation to post to, a channel id such as `C0123ABCD`; invite the bot to it. */
  channel: string;
  /**
   * Slack user id (`U…`) → principal, or a function. Decisions are made as that principal, under
   * the gate's approvers, exactly as in the inbox; an unmapped user decides nothing.
   */
  users: SlackUsers;
  /** The inbox URL shown for requirements a button cannot answer (default: the server's own URL). */
  inboxUrl?: string;
}

/** A configured Slack integration: the channel for the dispatcher, and what the interaction endpoint needs. */
export interface SlackSetup {
  signingSecret: string;
  client: () => Promise<SlackClient>;
  principalOf(user: SlackUser): Promise<Principal | null>;
  channel(served: ServedRuns, baseUrl: string): Channel;
}

/** The runs a server serves, by kind and owner id. */
export interface ServedRuns {
  db: Db;
  workflows: ReadonlyMap<string, Workflow>;
  agents: ReadonlyMap<string, Agent>;
}

/** Checks `createServer({ slack })` (throwing ConfigurationError) and prepares it. */
export function slackSetup(options: ServerSlack): SlackSetup {
  const where = "createServer({ slack })";
  const { signingSecret, users, channel, inboxUrl } = options;
  if (typeof signingSecret !== "string" || signingSecret.trim() === "")
    throw new ConfigurationError(
      `${where} needs the app's \`signingSecret\` (Slack app settings → Basic Information → App Credentials), e.g. process.env.SLACK_SIGNING_SECRET.`,
    );
  if (typeof users !== "function" && (typeof users !== "object" || users === null))
    throw new ConfigurationError(
      `${where} needs \`users\`: a map from Slack user id to principal ({ U0123ABCD: { id: "ann", roles: ["sre"] } }) or a function.`,
    );
  const client = slackClientOf(where, options);
  checkSlackChannel(where, channel);
  return {
    signingSecret,
    client,
    async principalOf(user) {
      if (typeof users === "function") return (await users(user)) ?? null;
      return Object.hasOwn(users, user.id) ? (users[user.id] ?? null) : null;
    },
    channel(served, baseUrl) {
      return slackChannel({
        channel,
        client: lazyClient(client),
        describe: async (event) => {
          const { kind, ownerId, id: runId, sessionId } = event.run;
          const ref = { kind, ownerId, runId, sessionId, requirementId: event.requirementId };
          const run = await loadRun(served, ref);
          return run === null ? [] : slackViews(run, ref, inboxUrl ?? baseUrl);
        },
      });
    },
  };
}

/** A client whose calls wait for the real one, made (and `@slack/web-api` imported) on first use. */
function lazyClient(client: () => Promise<SlackClient>): SlackClient {
  return {
    chat: {
      postMessage: async (args) => (await client()).chat.postMessage(args),
      update: async (args) => (await client()).chat.update(args),
      postEphemeral: async (args) => (await client()).chat.postEphemeral(args),
    },
  };
}

/** The stored run a reference names, through the workflow or agent that owns it; null when this server does not serve it. */
export async function loadRun(
  served: ServedRuns,
  ref: Pick<SlackDecisionRef, "kind" | "ownerId" | "runId" | "sessionId">,
): Promise<WorkflowRunOutput | RunOutput | null> {
  const owner = ref.kind === "workflow" ? served.workflows.get(ref.ownerId) : served.agents.get(ref.ownerId);
  return owner === undefined ? null : owner.getRunOutput(ref.runId, ref.sessionId);
}

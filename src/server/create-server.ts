import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Agent } from "../agent/index.js";
import type { Db, PendingRequirementRow } from "../db/index.js";
import { ConfigurationError } from "../errors.js";
import { type AnyGatePolicy, checkPolicy, type GateReminder } from "../runs/index.js";
import type { Workflow } from "../workflow/index.js";
import { agentRoutes } from "./agent-routes.js";
import { type Protection, protection, type SecurityOptions, type ServerEnv } from "./auth/index.js";
import { checkLinkSecret, type DecisionLinkOptions } from "./decision-links.js";
import { decisionRoutes } from "./decision-routes.js";
import { grantRoutes } from "./grant-routes.js";
import { errorResponse, unknownResource } from "./http-errors.js";
import { inboxAccess } from "./inbox-access.js";
import { INBOX_PAGE, INBOX_PAGE_POLICY } from "./inbox-page.js";
import { inboxRoutes } from "./inbox-routes.js";
import { listen, type StartedServer, startSweep } from "./listen.js";
import { openApiDocument } from "./openapi.js";
import { recoverAtStart, type StartupRecovery } from "./recovery.js";
import { type ServerSlack, type SlackSetup, slackSetup } from "./slack.js";
import { SLACK_INTERACTIONS_PATH, slackRoutes } from "./slack-routes.js";
import { checkWebhooks, type ServerWebhook, startWebhooks, type WebhookDelivery } from "./webhooks.js";
import { workflowRoutes } from "./workflow-routes.js";

/** The security options (auth, insecure, allowedHosts, allowedOrigins, bodyLimitBytes, adminRole) are documented on SecurityOptions. */
export interface ServerOptions extends SecurityOptions {
  /** The workflows whose runs the API starts, lists, continues and cancels. */
  workflows?: Workflow[];
  /** The agents served on their own (an agent inside a workflow step needs no entry). */
  agents?: Agent[];
  /** Where the inbox lists pending requirements; defaults to the first workflow's db, else the first agent's. */
  db?: Db;
  /**
   * How often to apply lapsed gate deadlines (`timeout`, `hitlTimeout`) of the served workflows'
   * and agents' paused runs: decide, escalate, remind (default 30 000 ms; 0 disables).
   */
  sweepIntervalMs?: number;
  /**
   * How often a stream of a run's stored events (`.../events?stream=1`, and `?stream=1` on
   * workflows and agents that store events) reads the store for events another process stored, in
   * ms (default 250). Events this process stores wake the stream at once.
   */
  eventPollIntervalMs?: number;
  /** Called with each reminder the sweep finds due (a timeout's `remindEvery`); default: the log. */
  onReminder?: (reminder: GateReminder) => void | Promise<void>;
  /** Where the server reports rows it had to leave alone and background failures (default console.warn). */
  log?: (line: string) => void;
  /**
   * Signed one-time decision links (`POST /api/decisions/links`, `POST /api/decisions/:token`),
   * signed with this secret (HS256, 32 bytes or more). Off without it.
   */
  decisionLinks?: DecisionLinkOptions;
  /**
   * The default gate policy of the runs this server starts and continues, for gates without
   * their own, their agent's or their workflow's (see tool()).
   */
  policy?: AnyGatePolicy;
  /**
   * POST a signed JSON event to each on every pause, decision, timeout and escalation, from the
   * Db's outbox, retried until it answers 2xx (see README "Webhooks"). The dispatcher runs
   * between start() and close().
   */
  webhooks?: ServerWebhook[];
  /** How the webhook and Slack dispatcher polls and retries (default: every second; retries from 1 s doubling to 1 h). */
  webhookDelivery?: WebhookDelivery;
  /**
   * Post each pause to a Slack channel with Approve / Reject buttons, decided through
   * `POST /api/slack/interactions` as the mapped principal (see README "Slack").
   */
  slack?: ServerSlack;
}

export interface StartOptions {
  /** Default 3000; 0 picks a free port (see `url`). */
  port?: number;
  /**
   * Default "127.0.0.1": only this machine can reach the server. Any other address (e.g.
   * "0.0.0.0") needs `auth` and `allowedHosts` on createServer(), or `insecure: true`.
   */
  hostname?: string;
}

export interface KernServer {
  /** The Hono app: mount it elsewhere, or call `app.fetch(request)` in tests. */
  app: Hono<ServerEnv>;
  /**
   * Recovers runs whose process died (reporting rows it cannot read, resuming runs that need no
   * person), starts the timeout sweep, then listens.
   */
  start(options?: StartOptions): Promise<StartedServer & { recovery: StartupRecovery }>;
}

function byId<T extends { id: string }>(what: string, items: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    if (map.has(item.id))
      throw new ConfigurationError(
        `createServer() was given two ${what}s with id '${item.id}'; give each a unique id.`,
      );
    map.set(item.id, item);
  }
  return map;
}

function buildApp(
  workflows: ReadonlyMap<string, Workflow>,
  agents: ReadonlyMap<string, Agent>,
  db: Db,
  log: (line: string) => void,
  guards: Protection,
  links: DecisionLinkOptions | undefined,
  policy: AnyGatePolicy | undefined,
  slack: { setup: SlackSetup; pending: Set<Promise<void>> } | undefined,
  eventPollMs: number,
): Hono<ServerEnv> {
  const isServed = (row: PendingRequirementRow): boolean =>
    (row.kind === "workflow" ? workflows : agents).has(row.ownerId);
  const app = new Hono<ServerEnv>();
  app.onError((error, c) => {
    // Hono's bearer-auth answers with a prepared 401 (kern's JSON body and a WWW-Authenticate challenge).
    if (error instanceof HTTPException) return error.getResponse();
    const { status, body, internal } = errorResponse(error);
    if (internal)
      log(
        `kern/server: ${c.req.method} ${c.req.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    return c.json(body, status);
  });
  guards.install(app);
  app.notFound((c) =>
    c.json(
      errorResponse(unknownResource(`There is no ${c.req.method} ${c.req.path}; the API lives under /api.`)).body,
      404,
    ),
  );
  app.get("/", (c) => {
    c.header("Content-Security-Policy", INBOX_PAGE_POLICY);
    c.header("X-Content-Type-Options", "nosniff");
    return c.html(INBOX_PAGE);
  });
  app.get("/api/openapi.json", (c) => c.json(openApiDocument()));
  app.route("/api/workflows", workflowRoutes(workflows, policy, eventPollMs));
  app.route("/api/agents", agentRoutes(agents, policy, eventPollMs));
  app.route("/api/inbox", inboxRoutes(db, isServed, inboxAccess(workflows, agents)));
  app.route("/api/decisions", decisionRoutes({ db, workflows, agents, links }));
  app.route("/api/grants", grantRoutes(db));
  if (slack !== undefined)
    app.route("/api/slack", slackRoutes({ db, workflows, agents }, slack.setup, log, slack.pending));
  return app;
}

/**
 * The HTTP API and approval inbox for workflows and agents: start runs, list what waits for a
 * human, continue runs with decisions sent as JSON (or as Server-Sent Events with `?stream=1`),
 * and a small page at `/` where a person approves, rejects, fills in input or picks a route.
 * Errors answer with `{ error: { name, code, message } }` and a status that fits the kern error.
 *
 * @example
 * import { createServer } from "kern/server";
 *
 * const server = createServer({ workflows: [workflow] });
 * const { url, close } = await server.start({ port: 3000 });
 * console.log(`Approval inbox at ${url}`);
 * // curl -X POST $url/api/workflows/DualConfirmation/runs -H 'content-type: application/json' \
 * //   -d '{"input":"Send a weather alert for Tokyo"}'
 * process.on("SIGINT", () => void close());
 */
export function createServer(options: ServerOptions = {}): KernServer {
  const workflows = byId("workflow", options.workflows ?? []);
  const agents = byId("agent", options.agents ?? []);
  const db = options.db ?? options.workflows?.[0]?.db ?? options.agents?.[0]?.db;
  if (db === undefined) {
    throw new ConfigurationError(
      "createServer() needs at least one workflow or agent to serve, e.g. createServer({ workflows: [workflow] }).",
    );
  }
  const sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
  if (!Number.isFinite(sweepIntervalMs) || sweepIntervalMs < 0) {
    throw new ConfigurationError(
      `createServer() sweepIntervalMs must be a number of milliseconds, 0 or more (0 disables the sweep); got ${String(sweepIntervalMs)}.`,
    );
  }
  const log = options.log ?? ((line: string) => console.warn(line));
  const slack =
    options.slack === undefined ? undefined : { setup: slackSetup(options.slack), pending: new Set<Promise<void>>() };
  // A Slack interaction is signed by Slack, not signed in: the endpoint checks that signature itself.
  const guards = protection(options, slack === undefined ? [] : [SLACK_INTERACTIONS_PATH]);
  if (options.decisionLinks !== undefined) checkLinkSecret(options.decisionLinks);
  if (options.policy !== undefined) checkPolicy("createServer()", options.policy, true);
  const webhooks = options.webhooks ?? [];
  const delivery = options.webhookDelivery ?? {};
  checkWebhooks(webhooks, delivery);
  const served = { db, workflows, agents, links: options.decisionLinks, log };
  const eventPollMs = options.eventPollIntervalMs ?? 250;
  if (!Number.isFinite(eventPollMs) || eventPollMs < 10)
    throw new ConfigurationError(
      `createServer() eventPollIntervalMs must be 10 ms or more; got ${String(options.eventPollIntervalMs)}.`,
    );
  const app = buildApp(workflows, agents, db, log, guards, options.decisionLinks, options.policy, slack, eventPollMs);

  async function start(startOptions: StartOptions = {}): Promise<StartedServer & { recovery: StartupRecovery }> {
    const hostname = startOptions.hostname ?? "127.0.0.1";
    guards.checkListen(hostname, log);
    // Runs a dead process left claimed become continuable before anyone can ask for them.
    const recovery = await recoverAtStart([...workflows.values()], [...agents.values()], log);
    const stopSweep = startSweep([...workflows.values(), ...agents.values()], sweepIntervalMs, log, options.onReminder);
    try {
      const listener = await listen(app.fetch, startOptions.port ?? 3000, hostname);
      const channels = slack === undefined ? [] : [slack.setup.channel(served, listener.url)];
      const dispatcher = startWebhooks(webhooks, delivery, served, listener.url, channels);
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> =>
        (closing ??= stopSweep()
          .then(() => dispatcher?.stop())
          .then(() => Promise.all(slack?.pending ?? []))
          .then(() => recovery.resumed)
          .then(() => listener.close()));
      return { url: listener.url, close, recovery };
    } catch (error) {
      await stopSweep();
      throw error;
    }
  }

  return { app, start };
}

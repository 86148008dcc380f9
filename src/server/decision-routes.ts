import { Hono } from "hono";
import { z } from "zod";
import type { Agent } from "../agent/index.js";
import type { Db, DecisionFilter } from "../db/index.js";
import { type Principal, verifyDecisionChain, viaDecisionLink } from "../runs/index.js";
import type { Workflow } from "../workflow/index.js";
import { assertVisible, type Viewer, viewerOf } from "./access.js";
import type { ServerEnv } from "./auth/index.js";
import { type DecisionLinkOptions, issueDecisionLink, readDecisionLink } from "./decision-links.js";
import { RequestError, unknownResource } from "./http-errors.js";
import { openDigest } from "./open-requirement.js";
import { defined, readBody, readQuery, schemas } from "./request.js";
import { agentRunJson, workflowRunJson } from "./run-json.js";

const kind = z.enum(["agent", "workflow"]);
const afterSchema = z.object({ decidedAt: z.number(), kind, runId: z.string(), seq: z.number().int() });

interface Served {
  db: Db;
  workflows: ReadonlyMap<string, Workflow>;
  agents: ReadonlyMap<string, Agent>;
  links: DecisionLinkOptions | undefined;
}

function cursorOf(token: string): DecisionFilter["after"] {
  try {
    return afterSchema.parse(JSON.parse(Buffer.from(token, "base64url").toString("utf8")));
  } catch {
    throw new RequestError(
      400,
      "KERN_BAD_REQUEST",
      "GET /api/decisions: `after` is not a cursor this server issued; pass the `nextAfter` of the previous page.",
    );
  }
}

function forbidden(message: string): RequestError {
  return new RequestError(403, "KERN_FORBIDDEN", message);
}

/**
 * The decisions table over HTTP, and signed one-time decision links:
 * - `GET /api/decisions`: entries oldest first (keyset paged with `nextAfter`). The admin role
 *   sees every entry; other principals their own decisions, or a run's when they may see the run.
 * - `GET /api/decisions/verify?kind&runId`: checks a run's chain.
 * - `POST /api/decision-links` (admin role): signs a link for one open requirement.
 * - `POST /api/decisions/:token`: applies the link's decision once.
 */
export function decisionRoutes(served: Served): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const load = async (ref: { kind: "agent" | "workflow"; ownerId: string; runId: string; sessionId: string }) => {
    if (ref.kind === "workflow") {
      const workflow = served.workflows.get(ref.ownerId);
      if (workflow === undefined) throw unknownResource(`This server has no workflow '${ref.ownerId}'.`);
      const run = await workflow.getRunOutput(ref.runId, ref.sessionId);
      const mayDecide = (p: Principal, id?: string): boolean => workflow.canDecide(p, run, id);
      return { run, mayDecide, workflow, agent: undefined };
    }
    const agent = served.agents.get(ref.ownerId);
    if (agent === undefined) throw unknownResource(`This server has no agent '${ref.ownerId}'.`);
    const run = await agent.getRunOutput(ref.runId, ref.sessionId);
    const mayDecide = (p: Principal, id?: string): boolean => agent.canDecide(p, run, id);
    return { run, mayDecide, workflow: undefined, agent };
  };
  /** A run the viewer may see, by kind and id alone (the decisions table names no session). */
  const visible = async (viewer: Viewer, ref: { kind: "agent" | "workflow"; runId: string }): Promise<void> => {
    const record = await served.db.getRun(ref.kind, ref.runId);
    if (record === null) throw unknownResource(`There is no ${ref.kind} run '${ref.runId}'.`);
    const { run, mayDecide } = await load({ ...ref, ownerId: record.ownerId, sessionId: record.sessionId });
    assertVisible(viewer, run, (principal) => mayDecide(principal));
  };

  app.get("/", async (c) => {
    const { after, ...query } = readQuery(c, schemas.decisionsQuery, "GET /api/decisions");
    const viewer = viewerOf(c);
    const cursor = after === undefined ? undefined : cursorOf(after);
    const filter: DecisionFilter = { ...defined(query), ...(cursor === undefined ? {} : { after: cursor }) };
    if (viewer.principal !== null && !viewer.admin) {
      if (filter.runId !== undefined) await visible(viewer, { kind: filter.kind ?? "workflow", runId: filter.runId });
      else filter.actorId = viewer.principal.id;
    }
    const decisions = await served.db.listDecisions(filter);
    const last = decisions.at(-1);
    const limit = filter.limit ?? 100;
    const nextAfter =
      decisions.length === limit && last !== undefined
        ? Buffer.from(
            JSON.stringify({ decidedAt: last.decidedAt, kind: last.kind, runId: last.runId, seq: last.seq }),
          ).toString("base64url")
        : null;
    return c.json({ decisions, nextAfter });
  });

  app.get("/verify", async (c) => {
    const ref = readQuery(c, schemas.verifyQuery, "GET /api/decisions/verify");
    await visible(viewerOf(c), ref);
    return c.json(await verifyDecisionChain(served.db, ref));
  });

  app.post("/links", async (c) => {
    const viewer = viewerOf(c);
    if (served.links === undefined)
      throw new RequestError(
        404,
        "KERN_NOT_FOUND",
        "Decision links are off; start the server with createServer({ decisionLinks: { secret } }).",
      );
    if (viewer.principal !== null && !viewer.admin) throw forbidden("Only the admin role may issue decision links.");
    const { expiresInSeconds, approver, ...ref } = await readBody(c, schemas.issueLink, "POST /api/decisions/links");
    const { run } = await load(ref);
    const shownDigest = openDigest(run, ref.requirementId);
    const issued = await issueDecisionLink(
      served.links,
      {
        ...ref,
        shownDigest,
        approver: { id: approver.id, ...defined({ roles: approver.roles, name: approver.name }) },
      },
      expiresInSeconds,
    );
    return c.json({ ...issued, url: `/api/decisions/${issued.token}` });
  });

  app.post("/:token", async (c) => {
    if (served.links === undefined)
      throw new RequestError(404, "KERN_NOT_FOUND", "Decision links are off on this server.");
    const link = await readDecisionLink(served.links, c.req.param("token"));
    const signedIn = viewerOf(c).principal;
    if (signedIn !== null && signedIn.id !== link.approver.id)
      throw forbidden(`This link is for '${link.approver.id}'; you are signed in as '${signedIn.id}'.`);
    const loaded = await load(link);
    // A link decides only what its recipient saw: an answered requirement is 409, a changed one too.
    if (openDigest(loaded.run, link.requirementId) !== link.shownDigest)
      throw new RequestError(
        409,
        "KERN_SHOWN_CHANGED",
        "What this link showed has changed since it was sent; nothing was decided. Open the inbox to see the requirement as it is now.",
      );
    const ref = { runId: link.runId, sessionId: link.sessionId };
    const options = { actor: link.approver, [viaDecisionLink]: link.linkId };
    const endpoint = "POST /api/decisions/:token";
    if (loaded.workflow !== undefined) {
      const { decision } = await readBody(c, schemas.linkWorkflow, endpoint);
      const decisions = [{ requirementId: link.requirementId, decision }];
      return c.json(workflowRunJson(await loaded.workflow.continueRun({ ...ref, decisions }, options)));
    }
    const { decision } = await readBody(c, schemas.linkAgent, endpoint);
    const decisions = [{ requirementId: link.requirementId, decision }];
    return c.json(agentRunJson(await loaded.agent.continueRun({ ...ref, decisions }, options)));
  });

  return app;
}

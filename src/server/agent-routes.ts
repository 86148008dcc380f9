import { Hono } from "hono";
import type { Agent, RunOutput } from "../agent/index.js";
import { type AnyGatePolicy, fallbackPolicy, newId, type Principal } from "../runs/index.js";
import { actorOf, assertVisible, listedUser, starterOf, type Viewer, viewerOf } from "./access.js";
import type { ServerEnv } from "./auth/index.js";
import { unknownResource } from "./http-errors.js";
import { defined, readBody, readQuery, schemas, wantsBackground, wantsStream } from "./request.js";
import { agentRunJson } from "./run-json.js";
import { acceptedResponse, checkBackground, eventsResponse, liveResponse } from "./run-legs.js";
import { sseResponse } from "./sse.js";

/**
 * The agent endpoints, mounted under `/api/agents`: the same shape as the workflow ones, with
 * `requirements` (RunRequirement JSON) in place of `stepRequirements`.
 */
export function agentRoutes(
  agents: ReadonlyMap<string, Agent>,
  policy: AnyGatePolicy | undefined,
  pollMs: number,
): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  // The server's default policy, for gates without their own, their agent's or their workflow's.
  const fallback = policy === undefined ? {} : { [fallbackPolicy]: policy };
  const find = (id: string): Agent => {
    const agent = agents.get(id);
    if (agent === undefined)
      throw unknownResource(`This server has no agent '${id}'; GET /api/agents lists the ones it serves.`);
    return agent;
  };
  const base = (agent: Agent): string => `/api/agents/${encodeURIComponent(agent.id)}`;
  /** Loads a run the viewer may see (else the 404 of an unknown run). */
  const visibleRun = async (
    agent: Agent,
    viewer: Viewer,
    runId: string,
    sessionId: string,
    named: readonly string[] = [],
  ): Promise<RunOutput> => {
    const run = await agent.getRunOutput(runId, sessionId);
    // Who could have decided a requirement the request names still sees the run, to learn who decided it first.
    const couldDecide = (principal: Principal): boolean =>
      agent.canDecide(principal, run) ||
      named.some((id) => agent.canDecide(principal, run, id, { includeDecided: true }));
    assertVisible(viewer, run, couldDecide);
    return run;
  };
  const json = (agent: Agent, viewer: Viewer, run: RunOutput) =>
    agentRunJson(run, (principal) => agent.canDecide(principal, run), viewer);

  app.get("/", (c) =>
    c.json({
      agents: [...agents.values()].map((agent) => ({
        id: agent.id,
        name: agent.name,
        description: agent.description ?? null,
      })),
    }),
  );

  app.post("/:agentId/runs", async (c) => {
    const agent = find(c.req.param("agentId"));
    const endpoint = "POST /api/agents/:agentId/runs";
    const { input, userId, ...rest } = await readBody(c, schemas.startAgentRun, endpoint);
    const viewer = viewerOf(c);
    const options = { ...defined(rest), ...starterOf(viewer, userId), ...fallback };
    if (wantsBackground(c, endpoint)) {
      checkBackground("agent", agent);
      return acceptedResponse(c, base(agent), await agent.enqueueRun(input, options));
    }
    if (wantsStream(c, endpoint)) {
      if (!agent.storesEvents) return sseResponse(c, agent.runStream(input, options));
      const runId = newId();
      return liveResponse(c, "agent", agent, pollMs, runId, () =>
        agent.run(input, { ...options, runId, stream: true }),
      );
    }
    return c.json(json(agent, viewer, await agent.run(input, options)));
  });

  app.get("/:agentId/runs", async (c) => {
    const agent = find(c.req.param("agentId"));
    const filter = readQuery(c, schemas.listQuery, "GET /api/agents/:agentId/runs");
    const mine = listedUser(viewerOf(c));
    return c.json({ runs: await agent.db.listRuns({ ...defined(filter), ...mine, kind: "agent", ownerId: agent.id }) });
  });

  app.get("/:agentId/runs/:runId", async (c) => {
    const agent = find(c.req.param("agentId"));
    const { sessionId } = readQuery(c, schemas.runQuery, "GET /api/agents/:agentId/runs/:runId");
    const viewer = viewerOf(c);
    return c.json(json(agent, viewer, await visibleRun(agent, viewer, c.req.param("runId"), sessionId)));
  });

  app.post("/:agentId/runs/:runId/continue", async (c) => {
    const agent = find(c.req.param("agentId"));
    const endpoint = "POST /api/agents/:agentId/runs/:runId/continue";
    const body = await readBody(c, schemas.continueAgent, endpoint);
    const ref = { runId: c.req.param("runId"), ...defined(body), sessionId: body.sessionId };
    const viewer = viewerOf(c);
    const named = (body.decisions ?? []).map((entry) => entry.requirementId);
    await visibleRun(agent, viewer, ref.runId, ref.sessionId, named);
    const options = { ...actorOf(viewer), ...fallback };
    if (wantsBackground(c, endpoint)) {
      checkBackground("agent", agent);
      return acceptedResponse(c, base(agent), await agent.enqueueContinue(ref, options));
    }
    if (wantsStream(c, endpoint)) {
      if (!agent.storesEvents) return sseResponse(c, agent.continueRunStream(ref, options));
      return liveResponse(c, "agent", agent, pollMs, ref.runId, () =>
        agent.continueRun(ref, { ...options, stream: true }),
      );
    }
    return c.json(json(agent, viewer, await agent.continueRun(ref, options)));
  });

  app.get("/:agentId/runs/:runId/events", async (c) => {
    const agent = find(c.req.param("agentId"));
    const endpoint = "GET /api/agents/:agentId/runs/:runId/events";
    const { sessionId } = readQuery(c, schemas.eventsQuery, endpoint);
    await visibleRun(agent, viewerOf(c), c.req.param("runId"), sessionId);
    return eventsResponse(c, "agent", agent, pollMs, endpoint);
  });

  app.post("/:agentId/runs/:runId/cancel", async (c) => {
    const agent = find(c.req.param("agentId"));
    const { sessionId } = await readBody(c, schemas.cancelAgent, "POST /api/agents/:agentId/runs/:runId/cancel");
    const viewer = viewerOf(c);
    await visibleRun(agent, viewer, c.req.param("runId"), sessionId);
    return c.json(json(agent, viewer, await agent.cancelRun(c.req.param("runId"), sessionId)));
  });

  return app;
}

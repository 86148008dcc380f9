import { Hono } from "hono";
import type { Agent } from "../agent/index.js";
import { unknownResource } from "./http-errors.js";
import { defined, readBody, readQuery, schemas, wantsStream } from "./request.js";
import { agentRunJson } from "./run-json.js";
import { sseResponse } from "./sse.js";

/**
 * The agent endpoints, mounted under `/api/agents`: the same shape as the workflow ones, with
 * `requirements` (RunRequirement JSON) in place of `stepRequirements`.
 */
export function agentRoutes(agents: ReadonlyMap<string, Agent>): Hono {
  const app = new Hono();
  const find = (id: string): Agent => {
    const agent = agents.get(id);
    if (agent === undefined)
      throw unknownResource(`This server has no agent '${id}'; GET /api/agents lists the ones it serves.`);
    return agent;
  };

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
    const { input, ...options } = await readBody(c, schemas.startAgentRun, endpoint);
    if (wantsStream(c, endpoint)) return sseResponse(c, agent.runStream(input, defined(options)));
    return c.json(agentRunJson(await agent.run(input, defined(options))));
  });

  app.get("/:agentId/runs", async (c) => {
    const agent = find(c.req.param("agentId"));
    const filter = readQuery(c, schemas.listQuery, "GET /api/agents/:agentId/runs");
    return c.json({ runs: await agent.db.listRuns({ ...defined(filter), kind: "agent", ownerId: agent.id }) });
  });

  app.get("/:agentId/runs/:runId", async (c) => {
    const agent = find(c.req.param("agentId"));
    const { sessionId } = readQuery(c, schemas.runQuery, "GET /api/agents/:agentId/runs/:runId");
    return c.json(agentRunJson(await agent.getRunOutput(c.req.param("runId"), sessionId)));
  });

  app.post("/:agentId/runs/:runId/continue", async (c) => {
    const agent = find(c.req.param("agentId"));
    const endpoint = "POST /api/agents/:agentId/runs/:runId/continue";
    const body = await readBody(c, schemas.continueAgent, endpoint);
    const ref = { runId: c.req.param("runId"), ...defined(body), sessionId: body.sessionId };
    if (wantsStream(c, endpoint)) return sseResponse(c, agent.continueRunStream(ref));
    return c.json(agentRunJson(await agent.continueRun(ref)));
  });

  app.post("/:agentId/runs/:runId/cancel", async (c) => {
    const agent = find(c.req.param("agentId"));
    const { sessionId } = await readBody(c, schemas.cancelAgent, "POST /api/agents/:agentId/runs/:runId/cancel");
    return c.json(agentRunJson(await agent.cancelRun(c.req.param("runId"), sessionId)));
  });

  return app;
}

import { Hono } from "hono";
import type { Workflow } from "../workflow/index.js";
import { unknownResource } from "./http-errors.js";
import { defined, readBody, readQuery, schemas, wantsStream } from "./request.js";
import { workflowRunJson } from "./run-json.js";
import { sseResponse } from "./sse.js";

/**
 * The workflow endpoints, mounted under `/api/workflows`: list, start, list runs, read a run,
 * continue it (JSON, or Server-Sent Events with `?stream=1`) and cancel it.
 */
export function workflowRoutes(workflows: ReadonlyMap<string, Workflow>): Hono {
  const app = new Hono();
  const find = (id: string): Workflow => {
    const workflow = workflows.get(id);
    if (workflow === undefined)
      throw unknownResource(`This server has no workflow '${id}'; GET /api/workflows lists the ones it serves.`);
    return workflow;
  };

  app.get("/", (c) =>
    c.json({
      workflows: [...workflows.values()].map((workflow) => ({
        id: workflow.id,
        name: workflow.name,
        description: workflow.description ?? null,
      })),
    }),
  );

  app.post("/:workflowId/runs", async (c) => {
    const workflow = find(c.req.param("workflowId"));
    const endpoint = "POST /api/workflows/:workflowId/runs";
    const { input, ...options } = await readBody(c, schemas.startRun, endpoint);
    if (wantsStream(c, endpoint)) return sseResponse(c, workflow.runStream(input, defined(options)));
    return c.json(workflowRunJson(await workflow.run(input, defined(options))));
  });

  app.get("/:workflowId/runs", async (c) => {
    const workflow = find(c.req.param("workflowId"));
    const filter = readQuery(c, schemas.listQuery, "GET /api/workflows/:workflowId/runs");
    return c.json({ runs: await workflow.listRuns(defined(filter)) });
  });

  app.get("/:workflowId/runs/:runId", async (c) => {
    const workflow = find(c.req.param("workflowId"));
    const { sessionId } = readQuery(c, schemas.runQuery, "GET /api/workflows/:workflowId/runs/:runId");
    return c.json(workflowRunJson(await workflow.getRunOutput(c.req.param("runId"), sessionId)));
  });

  app.post("/:workflowId/runs/:runId/continue", async (c) => {
    const workflow = find(c.req.param("workflowId"));
    const endpoint = "POST /api/workflows/:workflowId/runs/:runId/continue";
    const body = await readBody(c, schemas.continueWorkflow, endpoint);
    const ref = { runId: c.req.param("runId"), ...defined(body), sessionId: body.sessionId };
    if (wantsStream(c, endpoint)) return sseResponse(c, workflow.continueRunStream(ref));
    return c.json(workflowRunJson(await workflow.continueRun(ref)));
  });

  app.post("/:workflowId/runs/:runId/cancel", async (c) => {
    const workflow = find(c.req.param("workflowId"));
    const { sessionId, reason } = await readBody(
      c,
      schemas.cancel,
      "POST /api/workflows/:workflowId/runs/:runId/cancel",
    );
    return c.json(workflowRunJson(await workflow.cancelRun(c.req.param("runId"), sessionId, reason)));
  });

  return app;
}

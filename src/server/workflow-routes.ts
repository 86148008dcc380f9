import { Hono } from "hono";
import { type AnyGatePolicy, fallbackPolicy, newId, type Principal } from "../runs/index.js";
import type { Workflow, WorkflowRunOutput } from "../workflow/index.js";
import { actorOf, assertVisible, listedUser, starterOf, type Viewer, viewerOf } from "./access.js";
import type { ServerEnv } from "./auth/index.js";
import { unknownResource } from "./http-errors.js";
import { defined, readBody, readQuery, schemas, wantsBackground, wantsStream } from "./request.js";
import { workflowRunJson } from "./run-json.js";
import { acceptedResponse, checkBackground, eventsResponse, liveResponse } from "./run-legs.js";
import { sseResponse } from "./sse.js";

/**
 * The workflow endpoints, mounted under `/api/workflows`: list, start, list runs, read a run,
 * continue it (JSON, or Server-Sent Events with `?stream=1`) and cancel it.
 */
export function workflowRoutes(
  workflows: ReadonlyMap<string, Workflow>,
  policy: AnyGatePolicy | undefined,
  pollMs: number,
): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  // The server's default policy, for gates without their own, their agent's or their workflow's.
  const fallback = policy === undefined ? {} : { [fallbackPolicy]: policy };
  const find = (id: string): Workflow => {
    const workflow = workflows.get(id);
    if (workflow === undefined)
      throw unknownResource(`This server has no workflow '${id}'; GET /api/workflows lists the ones it serves.`);
    return workflow;
  };
  const base = (workflow: Workflow): string => `/api/workflows/${encodeURIComponent(workflow.id)}`;
  /** Loads a run the viewer may see (else the 404 of an unknown run). */
  const visibleRun = async (
    workflow: Workflow,
    viewer: Viewer,
    runId: string,
    sessionId: string,
    named: readonly string[] = [],
  ): Promise<WorkflowRunOutput> => {
    const run = await workflow.getRunOutput(runId, sessionId);
    // Who could have decided a requirement the request names still sees the run, to learn who decided it first.
    const couldDecide = (principal: Principal): boolean =>
      workflow.canDecide(principal, run) ||
      named.some((id) => workflow.canDecide(principal, run, id, { includeDecided: true }));
    assertVisible(viewer, run, couldDecide);
    return run;
  };
  const json = (workflow: Workflow, viewer: Viewer, run: WorkflowRunOutput) =>
    workflowRunJson(run, (principal) => workflow.canDecide(principal, run), viewer);

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
    const { input, userId, ...rest } = await readBody(c, schemas.startRun, endpoint);
    const viewer = viewerOf(c);
    const options = { ...defined(rest), ...starterOf(viewer, userId), ...fallback };
    if (wantsBackground(c, endpoint)) {
      checkBackground("workflow", workflow);
      return acceptedResponse(c, base(workflow), await workflow.enqueueRun(input, options));
    }
    if (wantsStream(c, endpoint)) {
      if (!workflow.storesEvents) return sseResponse(c, workflow.runStream(input, options));
      const runId = newId();
      return liveResponse(c, "workflow", workflow, pollMs, runId, () =>
        workflow.run(input, { ...options, runId, stream: true }),
      );
    }
    return c.json(json(workflow, viewer, await workflow.run(input, options)));
  });

  app.get("/:workflowId/runs", async (c) => {
    const workflow = find(c.req.param("workflowId"));
    const filter = readQuery(c, schemas.listQuery, "GET /api/workflows/:workflowId/runs");
    return c.json({ runs: await workflow.listRuns({ ...defined(filter), ...listedUser(viewerOf(c)) }) });
  });

  app.get("/:workflowId/runs/:runId", async (c) => {
    const workflow = find(c.req.param("workflowId"));
    const { sessionId } = readQuery(c, schemas.runQuery, "GET /api/workflows/:workflowId/runs/:runId");
    const viewer = viewerOf(c);
    return c.json(json(workflow, viewer, await visibleRun(workflow, viewer, c.req.param("runId"), sessionId)));
  });

  app.post("/:workflowId/runs/:runId/continue", async (c) => {
    const workflow = find(c.req.param("workflowId"));
    const endpoint = "POST /api/workflows/:workflowId/runs/:runId/continue";
    const body = await readBody(c, schemas.continueWorkflow, endpoint);
    const ref = { runId: c.req.param("runId"), ...defined(body), sessionId: body.sessionId };
    const viewer = viewerOf(c);
    const named = (body.decisions ?? []).map((entry) => entry.requirementId);
    await visibleRun(workflow, viewer, ref.runId, ref.sessionId, named);
    const options = { ...actorOf(viewer), ...fallback };
    if (wantsBackground(c, endpoint)) {
      checkBackground("workflow", workflow);
      return acceptedResponse(c, base(workflow), await workflow.enqueueContinue(ref, options));
    }
    if (wantsStream(c, endpoint)) {
      if (!workflow.storesEvents) return sseResponse(c, workflow.continueRunStream(ref, options));
      return liveResponse(c, "workflow", workflow, pollMs, ref.runId, () =>
        workflow.continueRun(ref, { ...options, stream: true }),
      );
    }
    return c.json(json(workflow, viewer, await workflow.continueRun(ref, options)));
  });

  app.get("/:workflowId/runs/:runId/events", async (c) => {
    const workflow = find(c.req.param("workflowId"));
    const endpoint = "GET /api/workflows/:workflowId/runs/:runId/events";
    const { sessionId } = readQuery(c, schemas.eventsQuery, endpoint);
    await visibleRun(workflow, viewerOf(c), c.req.param("runId"), sessionId);
    return eventsResponse(c, "workflow", workflow, pollMs, endpoint);
  });

  app.post("/:workflowId/runs/:runId/cancel", async (c) => {
    const workflow = find(c.req.param("workflowId"));
    const { sessionId, reason } = await readBody(
      c,
      schemas.cancel,
      "POST /api/workflows/:workflowId/runs/:runId/cancel",
    );
    const viewer = viewerOf(c);
    await visibleRun(workflow, viewer, c.req.param("runId"), sessionId);
    return c.json(json(workflow, viewer, await workflow.cancelRun(c.req.param("runId"), sessionId, reason)));
  });

  return app;
}

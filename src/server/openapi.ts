import { z } from "zod";
import { schemas } from "./request.js";

/**
 * The OpenAPI 3.1 document of the JSON API, served at `GET /api/openapi.json`. Request bodies and
 * query parameters are generated from the very zod schemas that validate the requests
 * (request.ts), with zod's own JSON Schema output, so the document cannot drift from what the
 * server accepts.
 */

type Json = Record<string, unknown>;

function bodySchema(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: "input",
    target: "draft-2020-12",
    // Decision values are a custom object schema (it keeps a "__proto__" key): describe it as an object.
    unrepresentable: "any",
    override: (context) => {
      if (context.zodSchema._zod.def.type === "custom") context.jsonSchema["type"] = "object";
    },
  }) as Json;
  return rest;
}

function queryParameters(schema: z.ZodObject): Json[] {
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: "query",
    required: !(field as z.ZodType).safeParse(undefined).success,
    schema: bodySchema(field as z.ZodType),
  }));
}

const pathParameter = (name: string, description: string): Json => ({
  name,
  in: "path",
  required: true,
  schema: { type: "string" },
  description,
});

const errorResponse = (description: string): Json => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const ERRORS: Json = {
  "400": errorResponse(
    "The body or query is malformed, or input a store cannot hold (KERN_BAD_REQUEST, KERN_INVALID_INPUT).",
  ),
  "401": errorResponse("The server has `auth` and the request carries no accepted credentials (KERN_UNAUTHENTICATED)."),
  "403": errorResponse(
    "The principal may not do this (KERN_NOT_AUTHORIZED, KERN_FORBIDDEN), or the Host or Origin is not allowed.",
  ),
  "413": errorResponse("The body is larger than the server's bodyLimitBytes (KERN_PAYLOAD_TOO_LARGE)."),
  "404": errorResponse("No such workflow, agent or run."),
  "409": errorResponse(
    "The run is not paused, another caller claimed it first, the decision was already made, or the run was paused under another definition.",
  ),
  "422": errorResponse(
    "A decision is missing or does not fit its requirement; `error.missing` says what each requirement accepts.",
  ),
  "503": errorResponse("The database did not answer in time."),
};

/** 202 of `?background=1`: the run waits for a worker. */
const ACCEPTED: Json = {
  "202": {
    description:
      "?background=1: the run is stored `pending` for a worker (kern/worker); { runId, sessionId, status, url, eventsUrl }, and a Location header. 400 when the workflow or agent has no queue.",
    content: { "application/json": { schema: { type: "object" } } },
  },
};

function operation(summary: string, parameters: Json[], body: z.ZodType | null, ok: string, more: Json = {}): Json {
  const op: Json = {
    summary,
    parameters,
    responses: {
      "200": { description: ok, content: { "application/json": { schema: { type: "object" } } } },
      ...more,
      ...ERRORS,
    },
  };
  if (body !== null)
    op["requestBody"] = { required: true, content: { "application/json": { schema: bodySchema(body) } } };
  return op;
}

/** The paths of one kind of owner: workflows (with stepRequirements in run JSON) or agents. */
function ownerPaths(kind: "workflows" | "agents"): Json {
  const id = kind === "workflows" ? "workflowId" : "agentId";
  const owner = pathParameter(id, `The ${kind === "workflows" ? "workflow" : "agent"}'s id.`);
  const run = pathParameter("runId", "The run's id.");
  const start = kind === "workflows" ? schemas.startRun : schemas.startAgentRun;
  const decide = kind === "workflows" ? schemas.continueWorkflow : schemas.continueAgent;
  const cancel = kind === "workflows" ? schemas.cancel : schemas.cancelAgent;
  const stream = queryParameters(schemas.streamQuery);
  return {
    [`/api/${kind}`]: { get: operation(`List the ${kind} this server serves.`, [], null, `The ${kind}.`) },
    [`/api/${kind}/{${id}}/runs`]: {
      post: operation(
        "Start a run; ?stream=1 answers with Server-Sent Events; ?background=1 answers 202 at once and a worker runs it.",
        [owner, ...stream],
        start,
        "The run, paused or finished.",
        ACCEPTED,
      ),
      get: operation("List runs, newest first.", [owner, ...queryParameters(schemas.listQuery)], null, "{ runs }"),
    },
    [`/api/${kind}/{${id}}/runs/{runId}`]: {
      get: operation("Read a run.", [owner, run, ...queryParameters(schemas.runQuery)], null, "The run."),
    },
    [`/api/${kind}/{${id}}/runs/{runId}/continue`]: {
      post: operation(
        "Decide the run's active pause and continue it; ?stream=1 answers with Server-Sent Events; ?background=1 stores the decisions, answers 202 and a worker continues it.",
        [owner, run, ...stream],
        decide,
        "The run, paused again or finished.",
        ACCEPTED,
      ),
    },
    [`/api/${kind}/{${id}}/runs/{runId}/events`]: {
      get: operation(
        "The run's stored events numbered above `after` (or the Last-Event-ID header), in order: JSON for polling, or with ?stream=1 (or Accept: text/event-stream) Server-Sent Events with `id: <seq>` that follow the run, from any replica, to the end of its current leg. Needs storeEvents (default with a queue).",
        [owner, run, ...queryParameters(schemas.eventsQuery)],
        null,
        "{ events: [{ seq, event, data }], next, status }",
      ),
    },
    [`/api/${kind}/{${id}}/runs/{runId}/cancel`]: {
      post: operation("Cancel a paused run.", [owner, run], cancel, "The cancelled run."),
    },
  };
}

/** The decisions table and signed decision links. */
function decisionPaths(): Json {
  const token = pathParameter("token", "A signed decision link's token.");
  return {
    "/api/decisions": {
      get: operation(
        "List the decisions table, oldest first, paged with nextAfter.",
        queryParameters(schemas.decisionsQuery),
        null,
        "{ decisions, nextAfter }",
      ),
    },
    "/api/decisions/verify": {
      get: operation(
        "Check a run's chain of decisions.",
        queryParameters(schemas.verifyQuery),
        null,
        "{ ok, entries, problem, seq }",
      ),
    },
    "/api/decisions/links": {
      post: operation(
        "Sign a one-time decision link (admin role).",
        [],
        schemas.issueLink,
        "{ token, url, linkId, expiresAt }",
      ),
    },
    "/api/decisions/{token}": {
      post: {
        ...operation(
          "Apply a decision link's decision, once; needs no other sign-in.",
          [token],
          schemas.linkWorkflow,
          "The run.",
        ),
        security: [],
      },
    },
  };
}

let document: Json | undefined;

/** The document, built once on first request. */
export function openApiDocument(): Json {
  document ??= {
    openapi: "3.1.0",
    info: {
      title: "kern",
      version: "1",
      description: "Start, read, decide and continue runs of kern workflows and agents.",
    },
    paths: {
      ...ownerPaths("workflows"),
      ...ownerPaths("agents"),
      "/api/inbox": {
        get: operation(
          "List what waits for a person, oldest first, paged with nextAfter.",
          queryParameters(schemas.inboxQuery),
          null,
          "{ requirements, nextAfter }",
        ),
      },
      ...decisionPaths(),
      "/api/grants": {
        get: operation(
          'List grants ("always allow this tool"), oldest first, paged with nextAfter; yours, or all for the admin role.',
          queryParameters(schemas.grantsQuery),
          null,
          "{ grants, nextAfter }",
        ),
      },
      "/api/grants/{id}/revoke": {
        post: operation(
          "Revoke a grant (one you made, or any for the admin role); its tool's calls pause again.",
          [pathParameter("id", "The grant's id.")],
          null,
          "{ grant }",
        ),
      },
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "An API key or a JWT, when the server has auth." },
      },
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["name", "code", "message"],
              properties: {
                name: { type: "string" },
                code: { type: "string" },
                message: { type: "string" },
                missing: { type: "array" },
                runId: { type: "string" },
              },
            },
          },
        },
      },
    },
  };
  return document;
}

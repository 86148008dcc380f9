import type { Hono } from "hono";
import { InMemoryDb } from "../../db/memory/index.js";
import { Step, Workflow } from "../../workflow/index.js";
import { principalOf, type ServerEnv } from "../index.js";

/** A JSON object as the API returns it. */
export type Json = Record<string, unknown>;

export const RUNS = "/api/workflows/Echo/runs";

/** A one-step workflow on its own db; `executed` records every input its step ran with. */
export function echoWorkflow(): { workflow: Workflow; db: InMemoryDb; executed: string[] } {
  const db = new InMemoryDb();
  const executed: string[] = [];
  const workflow = new Workflow({
    name: "Echo",
    db,
    steps: [
      new Step({
        name: "echo",
        executor: (input) => {
          executed.push(input.input);
          return `echo ${input.input.length}`;
        },
      }),
    ],
  });
  return { workflow, db, executed };
}

/** Adds `GET /api/test/whoami`, answering the principal a route sees (routes read it this way). */
export function withWhoAmI(app: Hono<ServerEnv>): Hono<ServerEnv> {
  app.get("/api/test/whoami", (c) => c.json({ principal: principalOf(c) }));
  return app;
}

/** Sends a request to the app without a socket; `url` is a path on http://localhost unless absolute. */
export async function call(
  app: Hono<ServerEnv>,
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const response = await app.fetch(new Request(url.startsWith("http") ? url : `http://localhost${url}`, init));
  const text = await response.text();
  return { status: response.status, body: text === "" ? {} : (JSON.parse(text) as Json), headers: response.headers };
}

/** A POST that starts a run of the echo workflow. */
export function startRun(input = "hello", headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ input }),
  };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

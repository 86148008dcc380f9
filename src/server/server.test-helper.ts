import assert from "node:assert/strict";
import { z } from "zod";
import { build } from "../../examples/workflows/human-in-the-loop/nested/01_step_confirmation_and_tool_confirmation.js";
import { Agent } from "../agent/index.js";
import type { Db, RunKind, RunRecord, RunWrite } from "../db/db.js";
import { InMemoryDb } from "../db/memory/index.js";
import { StoreError } from "../errors.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { createServer, type ServerOptions } from "./index.js";

delete process.env["OPENAI_API_KEY"];

/** A JSON object as the API returns it; tests read fields with `field()`. */
export type Json = Record<string, unknown>;

/** A live server on 127.0.0.1 (a free port) with small fetch helpers. */
export interface LiveServer {
  url: string;
  close(): Promise<void>;
  get(path: string): Promise<{ status: number; body: Json }>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Json }>;
  /** POSTs with `?stream=1` and returns the Server-Sent Events as { event, data }. */
  stream(
    path: string,
    body: unknown,
  ): Promise<{ status: number; events: Array<{ event: string; data: Json }>; body: string }>;
}

export async function startServer(options: ServerOptions): Promise<LiveServer> {
  const { url, close } = await createServer(options).start({ port: 0 });
  const read = async (response: Response): Promise<{ status: number; body: Json }> => ({
    status: response.status,
    body: (await response.json()) as Json,
  });
  const send = (
    path: string,
    body: unknown,
    headers: Record<string, string> = { "content-type": "application/json" },
  ): Promise<Response> =>
    fetch(url + path, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  return {
    url,
    close,
    get: async (path) => read(await fetch(url + path, { signal: AbortSignal.timeout(10_000) })),
    post: async (path, body, headers) => read(await send(path, body, headers)),
    stream: async (path, body) => {
      const response = await send(`${path}?stream=1`, body);
      const raw = await response.text();
      const events = raw
        .split("\n\n")
        .filter((block) => block.trim() !== "")
        .map((block) => {
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? "";
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? "null";
          return { event, data: JSON.parse(data) as Json };
        });
      return { status: response.status, events, body: raw };
    },
  };
}

/** Reads a nested field of API JSON by path, e.g. field(run, "activeRequirement", "kind"). */
export function field(value: unknown, ...path: Array<string | number>): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** A deep copy of the run's active requirement, to set decision fields on and send back. */
export function activeRequirement(run: Json): Json {
  const active = run["activeRequirement"];
  assert.ok(typeof active === "object" && active !== null, `run ${String(run["runId"])} has no active requirement`);
  return structuredClone(active) as Json;
}

/** The decision on the run's active pause, as the continue body's `decisions` takes it. */
export function decide(run: Json, decision: Json): Json[] {
  return [{ requirementId: activeRequirement(run)["id"], decision }];
}

/** The same decision on every tool call of the active executor pause, each under its own id. */
export function decideCalls(run: Json, decision: Json): Json[] {
  const calls = activeRequirement(run)["calls"];
  assert.ok(Array.isArray(calls) && calls.length > 0, "the active requirement has no tool calls");
  return (calls as Array<{ requirement: Json }>).map((call) => ({ requirementId: call.requirement["id"], decision }));
}

/** Scenario 1 of the nested examples (step confirmation, then tool confirmation) on `db`. */
export function scenarioOne(db: Db = new InMemoryDb()): ReturnType<typeof build> {
  return build({ db });
}

/** Polls `check` until it returns true; fails after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * An InMemoryDb standing in for a process that dies: every claim it stores has a lease that has
 * already expired, and the write `crashOn` picks throws instead of storing.
 */
export class CrashingDb extends InMemoryDb {
  crashOn: ((record: RunRecord) => boolean) | undefined;
  override async updateRun(record: RunRecord, expectedRevision: number): Promise<boolean> {
    if (this.crashOn?.(record) === true) {
      this.crashOn = undefined;
      throw new StoreError("process died");
    }
    return super.updateRun(expire(record), expectedRevision);
  }

  override async writeRuns(writes: readonly RunWrite[]): Promise<boolean> {
    if (writes.some(({ record }) => this.crashOn?.(record) === true)) {
      this.crashOn = undefined;
      throw new StoreError("process died");
    }
    return super.writeRuns(writes.map((write) => ({ ...write, record: expire(write.record) })));
  }

  // Leases are stored as already expired, so start() recovers at once; renewing changes nothing.
  override async renewLease(kind: RunKind, runId: string, expectedRevision: number): Promise<boolean> {
    return super.renewLease(kind, runId, expectedRevision, Date.now() - 1);
  }
}

function expire(record: RunRecord): RunRecord {
  return record.status === "running" ? { ...record, leaseExpiresAt: Date.now() - 1 } : record;
}

/** A standalone agent with one gated tool `ping` (called with `host`); `pinged` records each execution. */
export function pingAgent(db: Db, host = "db-1"): { agent: Agent; pinged: string[] } {
  const pinged: string[] = [];
  const ping = tool({
    name: "ping",
    parameters: z.object({ host: z.string() }),
    requiresConfirmation: true,
    execute: ({ host }) => {
      pinged.push(host);
      return `pong from ${host}`;
    },
  });
  const model = new FakeModel([toolCall("ping", { host }), text(`${host} answered.`)]);
  return { agent: new Agent({ name: "Pinger", model, tools: [ping], db }), pinged };
}

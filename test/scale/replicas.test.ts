// Replicas and workers as separate processes on one PostgreSQL: an SSE client cut off mid-run and
// reconnected to another replica gets every event once, in order; SIGTERM drains a worker within
// its deadline and loses no run; two replicas sweeping lapsed deadlines apply each exactly once.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { requirePrerequisite } from "../../scripts/test-prerequisites.mjs";
import { decide, type Json, request, type StartedRun } from "./client.test-helper.js";
import {
  type Proc,
  prepareSchema,
  type ScaleEnv,
  scaleEnv,
  startServer,
  startWorker,
} from "./processes.test-helper.js";
import { readSse } from "./sse-client.test-helper.js";

const skip = requirePrerequisite("postgres");
const BASE = "/api/workflows/ScaleDual/runs";

async function startRun(url: string, input: string): Promise<StartedRun> {
  const answer = await request(`${url}${BASE}?background=1`, "POST", { input });
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  return { runId: String(answer.body["runId"]), sessionId: String(answer.body["sessionId"]), input };
}

async function readRun(url: string, run: StartedRun): Promise<Json> {
  return (await request(`${url}${BASE}/${run.runId}?sessionId=${run.sessionId}`, "GET")).body;
}

/** Waits until the run is paused on a question a person can answer (or ends), and returns it. */
async function untilSettled(url: string, run: StartedRun, timeoutMs = 30_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await readRun(url, run);
    if (body["status"] === "completed" || (body["status"] === "paused" && body["activeRequirement"] !== null))
      return body;
    assert.ok(Date.now() < deadline, `run ${run.runId} stayed ${String(body["status"])}`);
    await sleep(100);
  }
}

/** Approves the run's current pause in the background (the log decides an uncertain call). */
async function approve(url: string, run: StartedRun, scale: ScaleEnv): Promise<void> {
  const body = await untilSettled(url, run);
  const ran = new Set(scale.executions().map((line) => line[1] ?? ""));
  const answer = await request(`${url}${BASE}/${run.runId}/continue?background=1`, "POST", {
    sessionId: run.sessionId,
    decisions: decide(body, ran),
  });
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
}

/** Waits until the run's stored events include `name`. */
async function untilEvent(url: string, run: StartedRun, name: string): Promise<void> {
  for (let tries = 0; tries < 300; tries += 1) {
    const events = (await request(`${url}${BASE}/${run.runId}/events?sessionId=${run.sessionId}&limit=1000`, "GET"))
      .body["events"] as Json[];
    if (events.some((entry) => entry["event"] === name)) return;
    await sleep(50);
  }
  assert.fail(`run ${run.runId} never stored ${name}`);
}

describe("replicas and workers as processes", { skip }, () => {
  let scale: ScaleEnv;
  const procs: Proc[] = [];
  let urls: string[] = [];

  before(async () => {
    // The tool takes 1.5 s, so runs are caught mid-execution; the sweep runs every 200 ms on both replicas.
    scale = scaleEnv({ KERN_SCALE_TOOL_MS: "1500", KERN_SCALE_SWEEP_MS: "200", KERN_SCALE_LEASE_MS: "2000" });
    await prepareSchema(scale);
    const servers = await Promise.all([startServer(scale), startServer(scale)]);
    procs.push(...servers.map((server) => server.proc));
    urls = servers.map((server) => server.url);
  });

  after(async () => {
    for (const proc of procs) proc.kill("SIGKILL");
    await Promise.all(procs.map((proc) => proc.exited));
    await scale?.dispose();
  });

  it("an SSE client cut off mid-run and reconnected to the other replica gets every event exactly once, in order", async () => {
    const [a = "", b = ""] = urls;
    const worker = await startWorker(scale, { concurrency: 2 });
    procs.push(worker);
    const run = await startRun(a, "stream-1");
    await approve(a, run, scale);
    await approve(b, run, scale);
    const stream = `${BASE}/${run.runId}/events?sessionId=${run.sessionId}&stream=1`;
    // The run executes on the worker; replica A follows it from the store, until the tool starts.
    const first = await readSse(`${a}${stream}`, null, (event) => event.event === "ToolCallStarted");
    assert.equal(first.at(-1)?.event, "ToolCallStarted");
    const cutAt = first.at(-1)?.id ?? null;
    const rest = await readSse(`${b}${stream}`, cutAt);
    const stored = (await request(`${a}${stream.replace("&stream=1", "&limit=1000")}`, "GET")).body["events"] as Json[];
    assert.deepEqual(
      [...first, ...rest].map((event) => event.id),
      stored.map((entry) => String(entry["seq"])),
      "every stored event once, in order, across the two connections",
    );
    assert.deepEqual(
      [...first, ...rest].map((event) => event.event),
      stored.map((entry) => entry["event"]),
    );
    assert.equal(rest.at(-1)?.event, "WorkflowCompleted");
    assert.ok(rest.length > 1, "the second replica sent what happened after the cut");
    worker.kill("SIGTERM");
    assert.equal((await worker.exited).code, 0);
  });

  it("SIGTERM drains a worker: the run in hand finishes within the deadline, queued runs wait for the next worker", async () => {
    const [a = ""] = urls;
    const draining = await startWorker(scale, { concurrency: 2, deadlineMs: 10_000 });
    procs.push(draining);
    const held = await startRun(a, "drain-1");
    await approve(a, held, scale);
    await approve(a, held, scale);
    await untilEvent(a, held, "ToolCallStarted");
    const signalled = Date.now();
    draining.kill("SIGTERM");
    // Enqueued while it drains: it must not take them.
    const queued = [await startRun(a, "drain-2"), await startRun(a, "drain-3")];
    const exit = await draining.exited;
    const tookMs = Date.now() - signalled;
    assert.equal(exit.code, 0, draining.stderr);
    assert.ok(tookMs < 10_000, `drained in ${tookMs} ms`);
    assert.ok(
      draining.lines.some((line) => /1 run\(s\) finished$/.test(line)),
      draining.lines.join("\n"),
    );
    assert.equal((await readRun(a, held))["status"], "completed");
    for (const run of queued) assert.equal((await readRun(a, run))["status"], "pending");
    const next = await startWorker(scale, { concurrency: 2 });
    procs.push(next);
    for (const run of queued) {
      await approve(a, run, scale);
      await approve(a, run, scale);
    }
    for (const run of queued) {
      for (let tries = 0; (await readRun(a, run))["status"] !== "completed"; tries += 1) {
        assert.ok(tries < 200, `run ${run.input} did not complete`);
        await sleep(100);
      }
    }
    const counts = new Map<string, number>();
    for (const [input] of scale.executions()) counts.set(input ?? "", (counts.get(input ?? "") ?? 0) + 1);
    for (const input of ["drain-1", "drain-2", "drain-3"]) assert.equal(counts.get(input), 1, `${input} ran once`);
    next.kill("SIGTERM");
    await next.exited;
  });

  it("a run still executing at the deadline keeps its lease and is recovered by another worker, its tool run once", async () => {
    const [a = ""] = urls;
    const slow = await startWorker(scale, { concurrency: 1, deadlineMs: 300, env: { KERN_SCALE_TOOL_MS: "4000" } });
    procs.push(slow);
    const run = await startRun(a, "deadline-1");
    await approve(a, run, scale);
    await approve(a, run, scale);
    await untilEvent(a, run, "ToolCallStarted");
    slow.kill("SIGTERM");
    const exit = await slow.exited;
    assert.equal(exit.code, 0, slow.stderr);
    assert.ok(
      slow.lines.some((line) => /left to recovery: workflow run/.test(line)),
      slow.lines.join("\n"),
    );
    const rescuer = await startWorker(scale, { concurrency: 1 });
    procs.push(rescuer);
    // The tool was cut off before its side effect: recovery asks a person, the log says it never ran.
    for (let tries = 0; ; tries += 1) {
      const body = await untilSettled(a, run, 60_000);
      if (body["status"] === "completed") break;
      assert.ok(tries < 5);
      await approve(a, run, scale);
    }
    assert.deepEqual(
      scale.executions().filter(([input]) => input === "deadline-1").length,
      1,
      "the tool ran exactly once",
    );
    rescuer.kill("SIGTERM");
    await rescuer.exited;
  });

  it("lapsed deadlines are applied exactly once while two replicas sweep at the same time", async () => {
    const [a = "", b = ""] = urls;
    const inputs = Array.from({ length: 20 }, (_, index) => `sweep-${index}`);
    const runs: StartedRun[] = [];
    for (const input of inputs) {
      const answer = await request(`${input.endsWith("1") ? b : a}/api/workflows/SweepOnce/runs`, "POST", { input });
      assert.equal(answer.body["status"], "paused", JSON.stringify(answer.body));
      runs.push({ runId: String(answer.body["runId"]), sessionId: String(answer.body["sessionId"]), input });
    }
    for (const run of runs) {
      for (let tries = 0; ; tries += 1) {
        const body = (await request(`${a}/api/workflows/SweepOnce/runs/${run.runId}?sessionId=${run.sessionId}`, "GET"))
          .body;
        if (body["status"] === "completed") break;
        assert.ok(tries < 200, `run ${run.input} is still ${String(body["status"])}`);
        await sleep(100);
      }
    }
    const swept = scale.executions().filter(([, step]) => step === "after_deadline");
    assert.deepEqual(swept.map(([input]) => input).sort(), [...inputs].sort(), "each deadline moved its run on once");
    const pids = new Set(swept.map(([, , pid]) => pid));
    assert.ok(pids.size >= 1);
  });
});

// Scale-out with real processes on one PostgreSQL: 3 server replicas and 4 `kern worker`
// processes; dual-HITL runs started and approved in the background through random replicas;
// workers SIGKILLed at random and restarted. Every approved tool runs exactly once (counted from
// the tool's own append-only log, never assumed), every run completes, no job is lost.
// KERN_SCALE_RUNS sets the number of runs (default 100 in `npm test`; the full size is 500:
// KERN_SCALE_RUNS=500 node scripts/run-tests.mjs test/scale/scale-out).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { requirePrerequisite } from "../../scripts/test-prerequisites.mjs";
import { chooseSeed, seededRandom } from "../exactly-once/stores.test-helper.js";
import { decide, eachLimited, type Json, request, type StartedRun } from "./client.test-helper.js";
import {
  type Proc,
  prepareSchema,
  type ScaleEnv,
  scaleEnv,
  startServer,
  startWorker,
} from "./processes.test-helper.js";

const skip = requirePrerequisite("postgres");
const RUNS = Number(process.env["KERN_SCALE_RUNS"] ?? "100");
const WORKERS = 4;
const REPLICAS = 3;
/**
 * One worker is SIGKILLed (and a new one started) about this often while runs are in flight, at
 * most MAX_KILLS times: a restart costs seconds of CPU (tsx compiles kern), on two cores.
 */
const KILL_EVERY_MS = 4000;
const MAX_KILLS = Math.max(5, Math.ceil(RUNS / 25));
const TIME_LIMIT_MS = Math.max(150_000, RUNS * 600);
const seed = chooseSeed();
const random = seededRandom(seed);

describe("scale-out: replicas and workers on one PostgreSQL", { skip }, () => {
  let scale: ScaleEnv;
  let servers: Array<{ proc: Proc; url: string }> = [];
  const workers: Proc[] = [];

  before(async () => {
    scale = scaleEnv({ KERN_SCALE_LATENCY_MS: "15" });
    await prepareSchema(scale);
    servers = await Promise.all(Array.from({ length: REPLICAS }, () => startServer(scale)));
    workers.push(...(await Promise.all(Array.from({ length: WORKERS }, () => startWorker(scale, { concurrency: 4 })))));
  });

  after(async () => {
    for (const proc of [...workers, ...servers.map((server) => server.proc)]) proc.kill("SIGKILL");
    await Promise.all([...workers, ...servers.map((server) => server.proc)].map((proc) => proc.exited));
    await scale?.dispose();
  });

  const replica = (): string => servers[Math.floor(random() * servers.length)]?.url ?? "";

  it(`${RUNS} runs that each pause twice, approved through random replicas while workers are SIGKILLed: each tool runs once, every run completes`, async (t) => {
    t.diagnostic(`seed ${seed} (KERN_EXACTLY_ONCE_SEED replays it)`);
    const started = Date.now();
    const runs: StartedRun[] = [];
    await eachLimited(
      Array.from({ length: RUNS }, (_, index) => `run-${index}`),
      12,
      async (input) => {
        const answer = await request(`${replica()}/api/workflows/ScaleDual/runs?background=1`, "POST", { input });
        assert.equal(answer.status, 202, JSON.stringify(answer.body));
        runs.push({ runId: String(answer.body["runId"]), sessionId: String(answer.body["sessionId"]), input });
      },
    );

    let done = false;
    let kills = 0;
    const restarts: Array<Promise<void>> = [];
    const chaos = (async () => {
      while (!done && kills < MAX_KILLS) {
        await sleep(KILL_EVERY_MS * (0.5 + random()));
        if (done) break;
        // Only a worker that is up: a slot whose replacement is still starting waits.
        const index = Math.floor(random() * workers.length);
        const victim = workers[index];
        if (victim === undefined || victim.child.exitCode !== null || victim.child.signalCode !== null) continue;
        victim.kill("SIGKILL");
        await victim.exited;
        kills += 1;
        restarts.push(
          startWorker(scale, { concurrency: 4 }).then((replacement) => {
            workers[index] = replacement;
          }),
        );
      }
    })();

    const completed = new Set<string>();
    const decisions = { sent: 0, conflicts: 0, uncertain: 0 };
    try {
      while (completed.size < runs.length) {
        if (Date.now() - started > TIME_LIMIT_MS) {
          const stuck = runs.filter((run) => !completed.has(run.runId)).slice(0, 3);
          const states = await Promise.all(
            stuck.map(async (run) => {
              const read = await request(
                `${replica()}/api/workflows/ScaleDual/runs/${run.runId}?sessionId=${run.sessionId}`,
                "GET",
              );
              return JSON.stringify({
                status: read.body["status"],
                active: read.body["activeRequirement"],
                cursor: read.body["cursor"],
                stepRequirements: read.body["stepRequirements"],
              });
            }),
          );
          assert.fail(
            `only ${completed.size} of ${runs.length} runs completed in time; for example:\n${states.join("\n")}`,
          );
        }
        const ran = new Set(scale.executions().map((line) => line[1] ?? ""));
        const open = runs.filter((run) => !completed.has(run.runId));
        await eachLimited(open, 16, async (run) => {
          const path = `/api/workflows/ScaleDual/runs/${run.runId}`;
          const read = await request(`${replica()}${path}?sessionId=${run.sessionId}`, "GET");
          assert.equal(read.status, 200, JSON.stringify(read.body));
          const status = read.body["status"];
          assert.notEqual(
            status,
            "error",
            `run ${run.runId} ended with an error: ${JSON.stringify(read.body["error"])}`,
          );
          if (status === "completed") completed.add(run.runId);
          if (status !== "paused") return;
          const chosen = decide(read.body, ran);
          if (chosen.length === 0) return;
          decisions.uncertain += chosen.filter((entry) => entry.decision.type === "reject").length;
          const answer = await request(`${replica()}${path}/continue?background=1`, "POST", {
            sessionId: run.sessionId,
            decisions: chosen,
          });
          // 409/422: another replica's request (or the sweep) got there first; the next round sees the new state.
          if (answer.status === 202) decisions.sent += 1;
          else if (answer.status === 409 || answer.status === 422) decisions.conflicts += 1;
          else assert.fail(`continue answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        });
        if (completed.size < runs.length) await sleep(300);
      }
    } finally {
      done = true;
      await chaos;
      await Promise.all(restarts);
    }

    const lines = scale.executions();
    const perRun = new Map<string, number>();
    for (const [input] of lines) perRun.set(input ?? "", (perRun.get(input ?? "") ?? 0) + 1);
    const twice = [...perRun].filter(([, count]) => count > 1);
    assert.deepEqual(twice, [], "no approved tool ran twice");
    assert.equal(perRun.size, RUNS, "every run's tool ran");
    assert.equal(lines.length, RUNS, "one execution per run");
    for (const run of runs.slice(0, 20)) {
      const events = (
        await request(
          `${replica()}/api/workflows/ScaleDual/runs/${run.runId}/events?sessionId=${run.sessionId}&limit=1000`,
          "GET",
        )
      ).body["events"] as Json[];
      assert.deepEqual(
        events.map((entry) => entry["seq"]),
        events.map((_, index) => index + 1),
        "each run's events are numbered without a gap",
      );
      assert.equal(events.at(-1)?.["event"], "WorkflowCompleted");
    }
    t.diagnostic(
      `${RUNS} runs completed in ${((Date.now() - started) / 1000).toFixed(1)} s; ${kills} workers SIGKILLed and restarted; ` +
        `${decisions.sent} background continues, ${decisions.conflicts} lost races (409/422), ${decisions.uncertain} uncertain calls skipped after checking the log`,
    );
  });
});

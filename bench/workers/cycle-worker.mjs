// One target of the dual-HITL cycle in its own process, driven over IPC by bench/parts/cycles.mjs.
//   parent -> { type: "setup", target, options } | { type: "bytes" } | { type: "warm", warmup, show }
//             | { type: "run", count, show } | { type: "count", cycles } | { type: "close" }
//   child  -> { type: "ready", warmed } | { type: "bytes", bytes } | { type: "warmed", warmed }
//             | { type: "samples", samples, cpuMs } | { type: "counts", cycles, commits } | { type: "closed" } | { type: "error", message }
import { performance } from "node:perf_hooks";
import { TARGETS } from "../lib/targets.mjs";
import { postgresCounter } from "../lib/write-counter.mjs";

let target;
let options;

/**
 * V8 keeps optimising for thousands of cycles, so every system gets the same warm-up rule:
 * `cycles` cycles, or `ms` of cycling if that comes first (the slow peers).
 */
async function warm({ cycles, ms }, show) {
  const started = performance.now();
  let warmed = 0;
  while (warmed < cycles && performance.now() - started < ms) {
    await target.cycle({ show });
    warmed += 1;
  }
  return warmed;
}

/**
 * Untimed: `cycles` cycles, each measured alone (commits, WAL pages or bytes), and per commit
 * (its label and its pages or bytes) where the target can name its commits.
 */
async function count(cycles) {
  const counter = target.counter.kind === "postgres" ? await postgresCounter(options.pgUrl) : target.counter;
  let commits = [];
  let last = 0;
  target.traceCommits?.(async (label) => {
    const mark = await counter.mark();
    const value = mark === null ? null : (mark.pages ?? mark.bytes);
    commits.push({ label, value: value === null ? null : value - last });
    last = value ?? last;
  });
  const perCycle = [];
  const trace = [];
  for (let index = 0; index < cycles; index += 1) {
    commits = [];
    last = 0;
    await counter.begin();
    await target.cycle();
    const totals = await counter.end();
    if (totals !== null) perCycle.push(totals);
    if (totals !== null && commits.length > 0) trace.push(commits);
  }
  await counter.close();
  return { type: "counts", cycles: perCycle, commits: trace };
}

async function handle(message) {
  switch (message.type) {
    case "setup": {
      const definition = TARGETS[message.target];
      if (definition === undefined) throw new Error(`unknown target ${message.target}`);
      options = message.options;
      target = await definition.create(options);
      return { type: "ready", warmed: await warm(options.warmup, false) };
    }
    case "bytes":
      return { type: "bytes", bytes: await target.storedBytes() };
    case "warm":
      return { type: "warmed", warmed: await warm(message.warmup, message.show) };
    case "run": {
      const samples = [];
      const cpuBefore = process.cpuUsage();
      for (let index = 0; index < message.count; index += 1) {
        const start = performance.now();
        await target.cycle({ show: message.show }); // throws on any failed check: no number comes from that cycle
        samples.push(performance.now() - start);
      }
      // CPU time of the whole process (all threads) over this batch.
      const cpu = process.cpuUsage(cpuBefore);
      return { type: "samples", samples, cpuMs: (cpu.user + cpu.system) / 1000 };
    }
    case "count":
      return count(message.cycles);
    case "close":
      await target?.close();
      return { type: "closed" };
    default:
      throw new Error(`unknown message ${JSON.stringify(message)}`);
  }
}

process.on("message", (message) => {
  handle(message).then(
    (reply) => {
      process.send(reply);
      if (reply.type === "closed") process.disconnect();
    },
    (error) => {
      process.send({ type: "error", message: error?.stack ?? String(error) });
      process.disconnect();
      process.exitCode = 1;
    },
  );
});

// The parent went away (finished or interrupted): nothing more will be asked.
process.on("disconnect", () => process.exit(process.exitCode ?? 0));

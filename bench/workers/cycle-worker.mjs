// One target of the dual-HITL cycle in its own process, driven over IPC by bench/run.mjs so
// that every target is timed in interleaved rounds under the same machine conditions.
//   parent -> { type: "setup", target, options } | { type: "bytes" } | { type: "run", count } | { type: "close" }
//   child  -> { type: "ready" } | { type: "bytes", bytes } | { type: "samples", samples } | { type: "closed" } | { type: "error", message }
import { performance } from "node:perf_hooks";
import { TARGETS } from "../lib/targets.mjs";

let target;

async function handle(message) {
  switch (message.type) {
    case "setup": {
      const definition = TARGETS[message.target];
      if (definition === undefined) throw new Error(`unknown target ${message.target}`);
      target = await definition.create(message.options);
      // V8 keeps optimising for thousands of cycles, so every system gets the same warm-up rule:
      // `warmup.cycles` cycles, or `warmup.ms` of cycling if that comes first (the slow peers).
      const { cycles, ms } = message.options.warmup;
      const started = performance.now();
      let warmed = 0;
      while (warmed < cycles && performance.now() - started < ms) {
        await target.cycle();
        warmed += 1;
      }
      return { type: "ready", warmed };
    }
    case "bytes":
      return { type: "bytes", bytes: await target.storedBytes() };
    case "run": {
      const samples = [];
      const cpuBefore = process.cpuUsage();
      for (let index = 0; index < message.count; index += 1) {
        const start = performance.now();
        await target.cycle(); // throws on any failed check: no number comes from that cycle
        samples.push(performance.now() - start);
      }
      // CPU time of the whole process (all threads) per cycle, over this batch.
      const cpu = process.cpuUsage(cpuBefore);
      return { type: "samples", samples, cpuMsPerCycle: (cpu.user + cpu.system) / 1000 / message.count };
    }
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

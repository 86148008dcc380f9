// One server replica of the scale-out tests: serves the app's workflows on a free port, prints
// {"ready":"<url>"} once it listens, and closes on SIGTERM.
import { createServer } from "kern/server";
import { db, queue, workflows } from "./app.test-helper.js";

const server = createServer({
  workflows,
  sweepIntervalMs: Number(process.env["KERN_SCALE_SWEEP_MS"] ?? "0"),
  eventPollIntervalMs: 100,
  log: (line) => process.stderr.write(`${line}\n`),
});
const { url, close } = await server.start({ port: 0 });
process.stdout.write(`${JSON.stringify({ ready: url })}\n`);
process.once("SIGTERM", async () => {
  await close();
  await queue.close();
  await db.close();
  process.exit(0);
});

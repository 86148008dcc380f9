// One worker process of the queue bench: `node queue-worker.mjs <pgUrl> <schema> <logFile> <concurrency>`.
// Prints "ready" once it takes jobs; drains and exits on SIGTERM.
import { createWorker } from "kern/worker";
import { buildApp } from "./queue-app.mjs";

const [pgUrl, schema, logFile, concurrency] = process.argv.slice(2);
const { db, queue, workflow } = buildApp({ pgUrl, schema, logFile, queued: true });
const worker = createWorker({ db, workflows: [workflow], concurrency: Number(concurrency), queue, log: (line) => process.stderr.write(`${line}\n`) });
await worker.start();
process.stdout.write("ready\n");
process.once("SIGTERM", async () => {
  await worker.stop({ deadlineMs: 5000 });
  await db.close();
  process.exit(0);
});

// Section 7 of RESULTS.md: background runs on a PostgreSQL job queue.
const ms = (value) => (value === null || value === undefined || Number.isNaN(value) ? "–" : value.toFixed(value < 10 ? 1 : 0));

export function queueSection(queue) {
  if (queue === undefined || (queue.rows?.length ?? 0) === 0)
    return queue?.error ? `## 7. Background runs on a job queue\n\n(not measured: ${queue.error})\n` : "";
  const base = queue.rows.find((row) => row.workers === 0);
  const lines = queue.rows.map((row) => {
    const label = row.workers === 0 ? "one process, in-process (no queue)" : `${row.workers} worker process${row.workers === 1 ? "" : "es"} × 4 runs at a time`;
    const ratio = base === undefined || row.workers === 0 ? "" : `${(row.cyclesPerSecond / base.cyclesPerSecond).toFixed(2)}×`;
    return `| ${label} | ${row.runs} | ${row.cyclesPerSecond.toFixed(1)} | ${ratio} | ${ms(row.loadedP50)} | ${ms(row.loadedP95)} | ${ms(row.idleP50)} | ${ms(row.idleP95)} |`;
  });
  return `## 7. Background runs on a job queue (kern/worker, pg-boss, one PostgreSQL)

The same dual-HITL cycle, driven from a separate driver process that keeps 32 runs open: in the
first row it runs every cycle itself (\`run\`, \`continueRun\` twice); in the others it only
enqueues (\`enqueueRun\`, then \`enqueueContinue\` on each pause as soon as it sees it) and N
\`createWorker\` processes execute the runs. "Approval → tool start" is the time from the approval
call returning (in-process: from calling \`continueRun\`) to the tool's first line, read from the
tool's own log; "loaded" is under the 32-run window, "idle" with one run at a time (30 runs).
Every run's tool ran exactly once (checked from that log).

| setting | cycles | completed cycles / s | vs. in-process | approval → tool start p50 ms (loaded) | p95 (loaded) | p50 (idle) | p95 (idle) |
|---|---:|---:|---:|---:|---:|---:|---:|
${lines.join("\n")}
${queue.error ? `\n(stopped early: ${queue.error})\n` : ""}
`;
}

// Turns the measured results into the markdown of bench/RESULTS.md.
import { cycleSections, cycleTargetLines } from "./cycle-report.mjs";
import { queueSection } from "./queue-report.mjs";
import { durabilitySection } from "./durability-report.mjs";
import { fmt } from "./stats.mjs";
import { telemetrySection } from "./telemetry-report.mjs";

const verdict = (ok) => (ok ? "**met**" : "**missed**");

function constructSection(construct) {
  const lines = ["| framework | what is constructed | median µs per Agent (10,000 samples) | heap bytes per Agent |", "|---|---|---:|---:|"];
  const what = {
    kern: "`new Agent({ name, instructions, model, tools })`",
    "openai-agents": "`new Agent({ name, instructions, model, tools })`",
    langgraph: "`createReactAgent({ llm, tools, prompt })` (LangGraph has no Agent class; this compiles its agent graph)",
    mastra: "`new Agent({ id, name, instructions, model, tools })`",
  };
  for (const [framework, row] of Object.entries(construct)) {
    if (row.error !== undefined) lines.push(`| ${framework} | ${what[framework]} | failed: ${row.error} | |`);
    else lines.push(`| ${framework} | ${what[framework]} | ${fmt(row.medianUs)} | ${Math.round(row.heapBytes)} |`);
  }
  return lines.join("\n");
}

function importSection(imports) {
  const lines = ["| what is imported | median ms, fresh `node` process, start-up included |", "|---|---:|"];
  for (const row of Object.values(imports)) lines.push(`| ${row.label} | ${row.error ?? fmt(row.median)} |`);
  return lines.join("\n");
}

function scaleSection(scale) {
  const lines = [
    "| store | paused runs | list first page (100), ms | list all (pages of 1,000 by offset), ms | per run listed, µs | inbox walk (keyset pages of 1,000), ms | continue 1,000, ms | per run continued, µs |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const notes = [];
  for (const [backend, { rows, error, order }] of Object.entries(scale)) {
    if (order !== undefined) notes.push(`- ${backend}: sizes measured in this order, one process each: ${order.map((size) => size.toLocaleString("en-US")).join(", ")}.`);
    for (const row of rows) {
      lines.push(
        `| ${backend} | ${row.size.toLocaleString("en-US")} | ${fmt(row.listFirstPageMs)} | ${fmt(row.listAllMs)} | ${fmt((row.listAllMs * 1000) / row.size)} | ${fmt(row.inboxWalkMs)} | ${fmt(row.continueMs)} | ${fmt(row.continuePerRunUs)} |`,
      );
    }
    if (error !== null) notes.push(`- ${backend}: failed: ${error}`);
    if (rows.length >= 2) {
      const first = rows[0];
      const lastRow = rows.at(-1);
      const growth = (key, divide) => (lastRow[key] / (divide ? lastRow.size : 1)) / (first[key] / (divide ? first.size : 1));
      const continueGrowth = lastRow.continuePerRunUs / first.continuePerRunUs;
      notes.push(
        `- ${backend}: from ${first.size.toLocaleString("en-US")} to ${lastRow.size.toLocaleString("en-US")} runs (×${lastRow.size / first.size}), ` +
          `the cost per run changes ×${fmt(growth("listAllMs", true))} for listing all by offset, ×${fmt(growth("inboxWalkMs", true))} for the keyset inbox walk ` +
          `and ×${fmt(continueGrowth)} for continuing; the first page changes ×${fmt(growth("listFirstPageMs", false))}. ` +
          `Linear growth keeps the per-run cost flat (×1); ${describeGrowth(growth("listAllMs", true), growth("inboxWalkMs", true), continueGrowth)}`,
      );
    }
  }
  return `${lines.join("\n")}\n\n${notes.join("\n")}`;
}

function describeGrowth(listAll, inboxWalk, continueAll) {
  const flat = (value) => value < 1.5;
  const parts = [];
  parts.push(flat(continueAll) ? "continuing grows linearly" : `continuing grows faster than linearly (per-run cost ×${fmt(continueAll)})`);
  parts.push(flat(inboxWalk) ? "the keyset inbox walk grows linearly" : `the keyset inbox walk grows faster than linearly (×${fmt(inboxWalk)})`);
  parts.push(flat(listAll) ? "listing all by offset grows linearly" : `listing all by offset grows faster than linearly (×${fmt(listAll)} per run: each offset page rescans the rows before it)`);
  return `${parts.join("; ")}.`;
}

function inboxSection(scale) {
  const lines = [
    "| store | pending requirements | first page (50), ms | requirementKind = confirmation (~99%), ms | requirementKind = userInput (~1%), ms | requirementKind = externalExecution (none), ms | keyset after page 1, ms | keyset after the middle row, ms |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const [backend, { rows }] of Object.entries(scale)) {
    for (const row of rows) {
      const inbox = row.inbox;
      lines.push(`| ${backend} | ${(row.size + row.rareCount).toLocaleString("en-US")} | ${fmt(inbox.firstPageMs)} | ${fmt(inbox.kindCommonMs)} | ${fmt(inbox.kindRareMs)} | ${fmt(inbox.kindNoneMs)} | ${fmt(inbox.afterPage1Ms)} | ${fmt(inbox.afterMiddleMs)} |`);
    }
  }
  return lines.join("\n");
}

function targetsSection({ cycles, construct, imports, scale }) {
  const kern = cycles["kern-sqlite-shared"];
  const lines = cycleTargetLines(cycles);
  const kernConstruct = construct.kern;
  if (kernConstruct?.medianUs !== undefined) {
    lines.push(`- \`Agent\` construction ≤ 0.5 µs: ${fmt(kernConstruct.medianUs)} µs — ${verdict(kernConstruct.medianUs <= 0.5)}`);
    lines.push(`- \`Agent\` heap ≤ 512 B: ${Math.round(kernConstruct.heapBytes)} B — ${verdict(kernConstruct.heapBytes <= 512)}`);
  }
  if (kern?.bytes !== undefined) {
    lines.push(`- stored state at pause 2 ≤ 2 KiB (2,048 B): ${kern.bytes.total} B (workflow row ${kern.bytes.workflow} + agent row ${kern.bytes.agent}) — ${verdict(kern.bytes.total <= 2048)}`);
  }
  if (imports.kern?.median !== undefined) {
    lines.push(`- \`import "kern"\` ≤ 150 ms cold, Node start-up included: ${fmt(imports.kern.median)} ms (Node alone: ${fmt(imports.node?.median)} ms) — ${verdict(imports.kern.median <= 150)}`);
  }
  for (const [backend, { rows }] of Object.entries(scale)) {
    const big = rows.find((row) => row.size === 100_000);
    if (big === undefined) continue;
    const worst = Math.max(big.inbox.firstPageMs, big.inbox.kindCommonMs, big.inbox.kindRareMs, big.inbox.kindNoneMs, big.inbox.afterPage1Ms, big.inbox.afterMiddleMs);
    lines.push(`- inbox first page < 10 ms with 100,000 pending (${backend}, slowest variant): ${fmt(worst)} ms — ${verdict(worst < 10)}`);
  }
  return lines.join("\n");
}

export function renderReport({ meta, cycles, history, durability, construct, imports, scale, telemetry, queue, settings, mappings }) {
  return `# kern benchmarks

Produced by \`npm run bench\` on ${meta.date}. Every figure below was measured in this run on this
machine, except the spread section, which gathers the last full runs kept in bench/history.json;
nothing is estimated. Cycle figures come only from cycles whose checks passed (pause order, the
tool ran exactly once, the run completed); a failed check aborts that system's row. The floor's
writes, and what stands between kern and it: bench/FLOOR.md. Other work on the machine slows
every system: times move from run to run far more than the counts (commits, pages, bytes, round
trips) do, so read the load average below with them.

- Machine: ${meta.cpu}, ${meta.nproc} cores (\`nproc\`), Node ${meta.node}; load average ${meta.loadBefore} at the start, ${meta.loadAfter} at the end
- kern ${meta.kernVersion} (commit ${meta.commit}, dist/ built from the working tree at run time)
- Peers: ${meta.versions} (the newest published versions when this bench was written, pinned)
- PostgreSQL 15 (Debian's server binaries), a throwaway cluster: ${meta.postgres}
- Declared for a newer Node than this one, yet they ran every checked cycle here: ${meta.engines.length === 0 ? "none" : meta.engines.join(", ")}
- Settings: ${settings}

## 1. The dual-HITL cycle

One workflow step gated before it runs, whose agent calls a gated tool: (1) run → pause 1 → stored;
(2) load → approve → continue → pause 2 → stored; (3) load → approve → continue → the tool runs
once → completed. The model is an instant in-process fake, so the time is framework and storage
overhead. Two object lifetimes: **new per phase** opens the storage (connection, saver or store)
and builds the framework objects (workflow, agent, graph, Mastra) anew in every phase, as a
process that rebuilds everything per request does; **one for all phases (service)** builds both
once per process, as a long-running service does. Each system runs in its own process and is
timed straight after its own warm-up, with nothing else of the bench running; two passes in
opposite orders (half the timed cycles each) even out drift in the machine's load. "CPU ms per
cycle" is the process's CPU time (all threads) over every timed cycle of both passes, divided by
their number: a mean, not a median. Commits and WAL per cycle come from separate untimed cycles
(first pass), each measured alone: on SQLite the WAL file is emptied by a TRUNCATE checkpoint
before the cycle and its frames read after it (a frame is a page written; a commit ends with a
frame that records the database size); on PostgreSQL the WAL between the insert position before
and the flush position after the cycle, read with \`pg_walinspect\` (commit records; its byte
length includes record headers). The PostgreSQL cluster runs with its default durability (fsync,
synchronous_commit, full_page_writes on) on the same disk as the SQLite files.

${cycleSections(cycles)}
${history}
${durabilitySection(durability)}
## 2. Agent construction

${constructSection(construct)}

## 3. Cold import

${importSection(imports)}

## 4. Scale: many paused runs in one store

Each size is a fresh store holding N paused DualConfirmation runs (paused at the step gate) plus
N/100 paused runs of a second workflow gated on user input, measured in its own process, the
sizes in a random order. Setup copies the rows kern wrote for real paused runs (plain SQL in
large batches; on PostgreSQL followed by \`ANALYZE\`, as autovacuum would have done for a table
that grew run by run) and is not timed. "Continue 1,000" approves 1,000 steps spread evenly over
the inbox through \`workflow.continueRun\` (each run then pauses at its tool gate, checked); on
PostgreSQL 8 continues are in flight at once, on SQLite one.

${scaleSection(scale)}

## 5. Approval inbox: \`db.listPendingRequirements\`

Median of 30 calls after 3 warm-up calls, on the same stores as section 4 (before any continue).

${inboxSection(scale)}

${telemetrySection(telemetry)}
${queueSection(queue)}
## Targets

${targetsSection({ cycles, construct, imports, scale })}

## How each peer was mapped

${mappings}
`;
}

// Turns the measured results into the markdown of bench/RESULTS.md.
import { queueSection } from "./queue-report.mjs";
import { durabilitySection } from "./durability-report.mjs";
import { fmt } from "./stats.mjs";
import { telemetrySection } from "./telemetry-report.mjs";

// Each peer has two variants of the same cycle; both build a fresh framework object graph in
// every phase and differ only in the storage object: opened anew in every phase, or one held
// for all phases and cycles. A peer variant is compared with kern's SqliteDb of the same shape.
const PEERS = ["openai-agents", "langgraph", "mastra"];
const PAIRINGS = [
  {
    name: "new connection per phase",
    kern: "kern-sqlite",
    floor: "floor-sqlite",
    peers: PEERS,
    what: "kern: a new SqliteDb per phase; peers: a new connection, saver or store per phase; floor: a new connection per phase",
  },
  {
    name: "one connection / one store object",
    kern: "kern-sqlite-shared",
    floor: "floor-sqlite-shared",
    peers: PEERS.map((id) => `${id}-shared`),
    what: "kern: one SqliteDb object; peers: one connection, saver or store object; floor: one connection",
  },
];
const PER_PHASE = "new per phase";
const SHARED = "one for all phases";
const CYCLE_ROWS = [
  ["kern-sqlite", PER_PHASE, "SqliteDb, WAL, synchronous=FULL (its default; the peers and the floor run NORMAL); new SqliteDb per phase"],
  ["kern-postgres", PER_PHASE, "PostgresDb; new PostgresDb per phase on the app's pg pool"],
  ["openai-agents", PER_PHASE, "RunState string in an app SQLite table (WAL, NORMAL), new connection per phase"],
  ["langgraph", PER_PHASE, "SqliteSaver (WAL, NORMAL set by the bench), new saver + connection per phase"],
  ["mastra", PER_PHASE, "LibSQLStore file (its WAL, NORMAL), new store per phase"],
  ["floor-sqlite", PER_PHASE, "better-sqlite3 only, new connection per phase"],
  ["kern-memory", SHARED, "InMemoryDb (one Db object; it cannot outlive it)"],
  ["kern-sqlite-shared", SHARED, "SqliteDb (FULL), one Db object for all phases"],
  ["kern-postgres-shared", SHARED, "PostgresDb, one Db object (its own pool)"],
  ["openai-agents-shared", SHARED, "RunState string in an app SQLite table (WAL, NORMAL), one connection, statements prepared once"],
  ["langgraph-shared", SHARED, "one SqliteSaver on one connection (WAL, NORMAL); graph compiled anew each phase"],
  ["mastra-shared", SHARED, "one LibSQLStore object (its WAL, NORMAL) given to each phase's new Mastra"],
  ["floor-sqlite-shared", SHARED, "better-sqlite3 only, one connection"],
];

const ms = (value) => (value === undefined ? "n/a" : fmt(value));
const ratio = (numerator, denominator) => (numerator && denominator ? `${fmt(numerator / denominator)}×` : "n/a");
const verdict = (ok) => (ok ? "**met**" : "**missed**");
const measured = (row) => row?.median !== undefined;

/** The kern SqliteDb row a peer variant is compared with: the pairing of the same storage shape. */
function pairingOfPeer(id) {
  return PAIRINGS.find((pairing) => pairing.peers.includes(id));
}

function cycleSection(cycles) {
  const lines = [
    "| system | storage object | storage (each phase builds a fresh object graph) | median ms | p95 ms | CPU ms per cycle | cycles (timed / warm-up) | stored state at pause 2, bytes | peer ÷ kern SqliteDb of the same shape, median wall | peer ÷ kern SqliteDb of the same shape, CPU |",
    "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const [id, shape, storage] of CYCLE_ROWS) {
    const row = cycles[id];
    if (row === undefined) continue;
    if (row.error !== undefined) {
      lines.push(`| ${row.label} | ${shape} | ${storage} | failed: ${row.error.split("\n")[0].slice(0, 160)} | | | | | | |`);
      continue;
    }
    const kern = cycles[pairingOfPeer(id)?.kern];
    const peer = pairingOfPeer(id) !== undefined;
    const bytes = id.startsWith("floor") ? `${row.bytes.total} (written per update)` : String(row.bytes.total);
    lines.push(
      `| ${row.label} | ${shape} | ${storage} | ${ms(row.median)} | ${ms(row.p95)} | ${ms(row.cpuMedian)} | ${row.cycles} / ${row.warmed ?? "?"} | ${bytes} | ` +
        `${peer ? ratio(row.median, kern?.median) : ""} | ${peer ? ratio(row.cpuMedian, kern?.cpuMedian) : ""} |`,
    );
  }
  return `${lines.join("\n")}

"Storage object": whether the connection or store object is created anew in every phase or
created once and reused across phases and cycles, as a long-running service keeps it. The last
two columns compare like with like: a peer's per-phase variant with kern's new SqliteDb per
phase, its one-connection variant with kern's one SqliteDb object.`;
}

/**
 * Peer median ÷ kern median, from the same run. Each kern row is compared with the peer variants
 * of one storage shape, named in the row: kern's SqliteDb per phase with the peers' per-phase
 * variants; every other kern row (one SqliteDb object, InMemoryDb, PostgresDb) with the peers'
 * one-connection variants, the closest to a long-running service.
 */
function ratioSection(cycles) {
  const perPhase = "each peer's new connection / store per phase";
  const shared = "each peer's one connection / store object";
  const kernRows = [
    ["kern-sqlite", "", perPhase],
    ["kern-sqlite-shared", "-shared", shared],
    ["kern-memory", "-shared", shared],
    ["kern-postgres", "-shared", shared],
    ["kern-postgres-shared", "-shared", shared],
  ].filter(([id]) => measured(cycles[id]));
  const peers = PEERS.filter((id) => measured(cycles[id]) || measured(cycles[`${id}-shared`]));
  if (kernRows.length === 0 || peers.length === 0) return "";
  const peerName = (id) => (cycles[id] ?? cycles[`${id}-shared`]).label.replace(/,.*$/, "");
  const lines = [
    `| kern on … | compared with | ${peers.map((id) => `${peerName(id)} ÷ kern (wall / CPU)`).join(" | ")} |`,
    `|---|---|${peers.map(() => "---:").join("|")}|`,
  ];
  for (const [id, suffix, comparedWith] of kernRows) {
    const kern = cycles[id];
    const cells = peers.map((peer) => {
      const row = cycles[`${peer}${suffix}`];
      return measured(row) ? `${ratio(row.median, kern.median)} / ${ratio(row.cpuMedian, kern.cpuMedian)}` : "n/a";
    });
    lines.push(`| ${kern.label.replace(/^kern · /, "")} | ${comparedWith} | ${cells.join(" | ")} |`);
  }
  return (
    "How many times longer each peer's cycle takes than kern's, pair by pair (above 1: kern is faster). " +
    "Like with like: kern's new SqliteDb per phase against the peers' per-phase variants, kern's one SqliteDb " +
    "object against the peers' one-connection variants; InMemoryDb and PostgresDb (both shapes) are set against " +
    `the peers' one-connection variants:\n\n${lines.join("\n")}\n`
  );
}

/** Each insertRun, updateRun and writeRuns call is one write transaction. */
function commits(calls) {
  return (calls.insertRun ?? 0) + (calls.updateRun ?? 0) + (calls.writeRuns ?? 0);
}

function diagnosticsSection(diagnostics) {
  if (diagnostics === undefined || Object.keys(diagnostics).length === 0) return "";
  if (diagnostics.error !== undefined) return `Diagnostics failed: ${diagnostics.error}\n`;
  const calls = Object.entries(diagnostics.kernCalls).map(([method, count]) => `${method} ×${fmt(count)}`).join(", ");
  return [
    "Where kern's SQLite cycle goes (same targets, measured in a separate process):",
    "",
    `- kern store calls per cycle: ${calls}; write transactions (commits) per cycle: ${fmt(commits(diagnostics.kernCalls))} ` +
      "(the floor: 1 insert, 2 reads, 4 updates; 5 commits). `writeRuns` stores a workflow run and its step agent's run in one transaction.",
    `- WAL pages (4 KiB) written per cycle on a fresh file: kern SqliteDb ${fmt(diagnostics.walPages.kern)}, raw floor ${fmt(diagnostics.walPages.floor)}.`,
    `- CPU per cycle, one Db object for all phases: kern SqliteDb ${fmt(diagnostics.cpu["kern-sqlite-shared"])} ms, kern InMemoryDb ${fmt(diagnostics.cpu["kern-memory"])} ms; ` +
      `a new SqliteDb per phase: ${fmt(diagnostics.cpu["kern-sqlite"])} ms; opening one SqliteDb (first call: open, pragmas, migration check, statements) and closing it: ${fmt(diagnostics.openCloseMs)} ms CPU.`,
    "",
  ].join("\n");
}

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
    "| store | paused runs | list first page (100), ms | list all (pages of 1,000 by offset), ms | per run listed, µs | inbox walk (keyset pages of 1,000), ms | continue all, ms | per run continued, µs |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const notes = [];
  for (const [backend, { rows, error }] of Object.entries(scale)) {
    for (const row of rows) {
      lines.push(
        `| ${backend} | ${row.size.toLocaleString("en-US")} | ${fmt(row.listFirstPageMs)} | ${fmt(row.listAllMs)} | ${fmt((row.listAllMs * 1000) / row.size)} | ${fmt(row.inboxWalkMs)} | ${fmt(row.continueAllMs)} | ${fmt(row.continuePerRunUs)} |`,
      );
    }
    if (error !== null) notes.push(`- ${backend}: failed: ${error}`);
    if (rows.length >= 2) {
      const first = rows[0];
      const lastRow = rows.at(-1);
      const growth = (key, divide) => (lastRow[key] / (divide ? lastRow.size : 1)) / (first[key] / (divide ? first.size : 1));
      notes.push(
        `- ${backend}: from ${first.size.toLocaleString("en-US")} to ${lastRow.size.toLocaleString("en-US")} runs (×${lastRow.size / first.size}), ` +
          `the cost per run changes ×${fmt(growth("listAllMs", true))} for listing all by offset, ×${fmt(growth("inboxWalkMs", true))} for the keyset inbox walk ` +
          `and ×${fmt(growth("continueAllMs", true))} for continuing; the first page changes ×${fmt(growth("listFirstPageMs", false))}. ` +
          `Linear growth keeps the per-run cost flat (×1); ${describeGrowth(growth("listAllMs", true), growth("inboxWalkMs", true), growth("continueAllMs", true))}`,
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

/**
 * The cycle target, "kern's SQLite cycle is ≥10× faster than the fastest peer's and within 2× of
 * the raw SQLite floor", once per storage shape. The fastest peer is computed, not assumed.
 */
function cycleTargetLines(cycles, pairing) {
  const kern = cycles[pairing.kern];
  const floor = cycles[pairing.floor];
  const peers = pairing.peers.map((id) => cycles[id]).filter(measured);
  if (!measured(kern) && !measured(floor) && peers.length === 0) return []; // no cycle part in this run
  const lines = [`- kern SqliteDb cycle ≥10× faster than the fastest peer and within 2× of the raw SQLite floor, **${pairing.name}** (${pairing.what}):`];
  if (!measured(kern)) return [...lines, `  - kern (${pairing.kern}) has no measurement — **missed**`];
  let faster;
  let nearFloor;
  const fastest = [...peers].sort((a, b) => a.median - b.median)[0];
  if (fastest === undefined) {
    lines.push("  - no peer of this shape was measured: n/a");
  } else {
    const times = fastest.median / kern.median;
    faster = times >= 10;
    const how = times >= 1 ? `kern is ${fmt(times)}× faster` : `kern is ${fmt(1 / times)}× slower (peer ÷ kern ${fmt(times)}×)`;
    lines.push(`  - fastest peer: ${fastest.label}, ${fmt(fastest.median)} ms against kern's ${fmt(kern.median)} ms: ${how} — ${verdict(faster)}`);
    const byCpu = [...peers].sort((a, b) => a.cpuMedian - b.cpuMedian)[0];
    if (byCpu?.cpuMedian !== undefined && kern.cpuMedian !== undefined) {
      lines.push(`  - by CPU time per cycle (less sensitive to other load on the machine): ${fmt(byCpu.cpuMedian / kern.cpuMedian)}× the fastest peer by CPU (${byCpu.label})`);
    }
  }
  if (measured(floor)) {
    const times = kern.median / floor.median;
    nearFloor = times <= 2;
    lines.push(`  - ${floor.label}, ${fmt(floor.median)} ms: kern takes ${fmt(times)}× the floor — ${verdict(nearFloor)}`);
  } else {
    lines.push(`  - the floor (${pairing.floor}) has no measurement: n/a`);
  }
  if (faster !== undefined && nearFloor !== undefined) lines.push(`  - both halves, ${pairing.name}: ${verdict(faster && nearFloor)}`);
  return lines;
}

function targetsSection({ cycles, construct, imports, scale }) {
  const kern = cycles["kern-sqlite"];
  const lines = PAIRINGS.flatMap((pairing) => cycleTargetLines(cycles, pairing));
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

export function renderReport({ meta, cycles, diagnostics, durability, construct, imports, scale, telemetry, queue, settings, mappings }) {
  return `# kern benchmarks

Produced by \`npm run bench\` on ${meta.date}. Every figure below was measured in this one run on this
machine; nothing is estimated. Cycle figures come only from cycles whose checks passed (pause
order, the tool ran exactly once, the run completed); a failed check aborts that system's row.

- Machine: ${meta.cpu}, ${meta.nproc} cores (\`nproc\`), Node ${meta.node}; load average ${meta.loadBefore} at the start, ${meta.loadAfter} at the end
- kern ${meta.kernVersion} (commit ${meta.commit}, dist/ built from the working tree at run time)
- Peers: ${meta.versions} (the newest published versions when this bench was written, pinned)
- Declared for a newer Node than this one, yet they ran every checked cycle here: ${meta.engines.length === 0 ? "none" : meta.engines.join(", ")}
- Settings: ${settings}

## 1. The dual-HITL cycle

One workflow step gated before it runs, whose agent calls a gated tool: (1) run → pause 1 → stored;
(2) fresh object graph → load → approve → continue → pause 2 → stored; (3) fresh object graph →
load → approve → continue → the tool runs once → completed. The model is an instant in-process
fake, so the time is framework and storage overhead. Each system runs in its own process and is
timed straight after its own warm-up, with nothing else running; the run makes two passes over
all systems in opposite orders (half the timed cycles each) to even out drift in the machine's
load. "CPU ms per cycle" is the process's CPU time (all threads) per timed cycle, the median of
the two passes; "warm-up" is the smaller of the two passes' warm-up counts.

${cycleSection(cycles)}

${ratioSection(cycles)}
${diagnosticsSection(diagnostics)}
${durabilitySection(durability)}
## 2. Agent construction

${constructSection(construct)}

## 3. Cold import

${importSection(imports)}

## 4. Scale: many paused runs in one store

Each size is a fresh store holding N paused DualConfirmation runs (paused at the step gate) plus
N/100 paused runs of a second workflow gated on user input. Setup copies the rows kern wrote for
real paused runs (plain SQL in large batches; on PostgreSQL followed by \`ANALYZE\`, as autovacuum
would have done for a table that grew run by run) and is not timed. "Continue all" approves every
step through \`workflow.continueRun\` (each run then pauses at its tool gate, checked); on
PostgreSQL 8 continues are in flight at once, on SQLite one.

${scaleSection(scale)}

## 5. Approval inbox: \`db.listPendingRequirements\`

Median of 30 calls after 3 warm-up calls, on the same stores as section 4 (before "continue all").

${inboxSection(scale)}

${telemetrySection(telemetry)}
${queueSection(queue)}
## Targets

${targetsSection({ cycles, construct, imports, scale })}

## How each peer was mapped

${mappings}
`;
}

// How the dual-HITL cycle maps onto each peer, printed into RESULTS.md.
export const MAPPINGS = `- **kern**: \`new Workflow({ db, steps: [new Step({ name: "send_alert", agent, requiresConfirmation: true })] })\`;
  the agent's \`send_alert\` tool (\`tool()\` from \`kern/tools\`, zod parameters) has
  \`requiresConfirmation: true\`. Phase 1 is \`workflow.run()\`; phases 2 and 3 are
  \`workflow.continueRun({ runId, sessionId, decisions })\` with the decision as data (the
  form an approval UI sends), on a new Workflow, Agent, model and (SQLite, PostgreSQL) Db object; the
  tool is defined once at module scope. At the second pause and at the end the workflow stores
  its run and its step agent's run in one transaction (\`db.writeRuns\`); each claim is its own.
  The model is a six-line \`Model\` (turn 1: a tool call; turn 2: text) that records nothing.
  InMemoryDb keeps one Db object, since a new one would be empty. PostgresDb per phase is
  \`new PostgresDb({ pool, schema })\` on the application's pg pool, as a server would build it.
  "One Db object": the Workflow, Agent and model are still new in every phase; only the SqliteDb
  or PostgresDb object (its connection and prepared statements) is created once for all phases.
- **OpenAI Agents JS**: it has no workflow or step layer, so the step gate is application code:
  pause 1 inserts \`{ stage: "step" }\` into the app's SQLite run table. Phase 2 claims the row
  (read + compare-and-set on a revision, as kern does), runs the \`Agent\` whose \`tool()\` has
  \`needsApproval: true\`, and stores \`result.state.toString()\` in the row. Phase 3 claims the row,
  \`RunState.fromString(agent, text)\`, \`state.approve(interruption)\`, \`run(agent, state)\`.
  Tracing is disabled. The model implements its \`Model\` interface (\`getResponse\`).
  Per phase: a new better-sqlite3 connection (WAL, synchronous=NORMAL) and newly prepared
  statements for the run table each phase. One connection: the connection and its statements are
  created once and reused by every phase and cycle; the \`Agent\`, tool wiring and model are new
  each phase either way.
  Unfaithfulness: the step gate costs the framework nothing here, which favours this peer.
- **LangGraph.js**: one \`StateGraph(MessagesAnnotation)\`: START → \`step_gate\` (calls
  \`interrupt()\`, pause 1) → \`agent\` (the chat model) ⇄ \`tools\` (a \`ToolNode\` whose \`send_alert\`
  tool calls \`interrupt()\` before its side effect, pause 2). Each phase compiles the graph anew
  with a new \`SqliteSaver\` on a new better-sqlite3 connection to the same file and resumes with
  \`invoke(new Command({ resume: true }), { configurable: { thread_id } })\`. The saver sets WAL
  itself; the bench sets synchronous=NORMAL on its connection, as the other peers and the floor
  run (kern's SqliteDb runs FULL, its default; the durability table times it at NORMAL too). The model is a
  \`BaseChatModel\` subclass (\`_generate\`), used as \`createReactAgent\` users do.
  One saver + connection: one \`SqliteSaver\` on one connection (same pragmas), created once (so its
  table setup runs once) and given to the graph compiled anew, with a new model, in every phase.
  Stored bytes are every checkpoint and pending write of the thread (LangGraph keeps history).
- **Mastra**: a workflow with one \`createStep\` whose \`execute\` calls \`suspend()\` when it has no
  resume data (pause 1). Resumed, it calls \`agent.generate()\`; the agent's \`createTool\` has
  \`requireApproval: true\`, so generate stops with \`finishReason: "suspended"\` and the step
  suspends again with the agent's run id (pause 2). The last resume calls
  \`agent.approveToolCallGenerate({ runId, toolCallId })\`, which loads the agent's own snapshot,
  runs the tool and finishes. Each phase builds a new \`Mastra\`, workflow, agent, tool and
  \`LibSQLStore\` on the same file and resumes with \`createRun({ runId })\` + \`run.resume()\`. The
  model is a minimal AI SDK \`LanguageModelV2\` (\`doStream\`). Stored bytes are the workflow
  snapshot plus the agent's snapshots for that run. One LibSQLStore object: one \`LibSQLStore\`
  (one libsql client) is created once and passed as \`storage\` to the new \`Mastra\` of every
  phase, with a new workflow, agent and model. Mastra accepts this: each \`Mastra\` wraps the store
  in its own init-on-first-call proxy and registers itself on it (the last one registered is the
  live one, and phases run one after another); the store caches its own \`init()\`, so its tables
  are created once. Every cycle passes the same checks as the per-phase variant.
- **Raw SQLite floor**: better-sqlite3, WAL, synchronous=NORMAL, one row per run: an insert at
  pause 1, then at each continue a read, a compare-and-set claim (its own commit) and an update,
  each write carrying a string as long as kern's stored state at pause 2. No JSON, no validation.
- **Durability setting and open connections**: kern's SqliteDb rows in the cycle table run kern's
  default, synchronous=FULL (one fsync per commit); the peers and the floor run NORMAL (fsync only at
  checkpoints). The durability table sets kern at FULL and at NORMAL side by side; kern at NORMAL
  is the like-with-like figure for the peers. Every SQLite file of a "new ... per phase" system is
  held open by one extra connection for the whole run, as a live service holds its database;
  otherwise each fresh-object phase would close the file's last connection and SQLite would
  checkpoint and delete the WAL every time, which a running service never does. The "one
  connection / one store object" systems need no such connection: their own stays open.
- **Two storage shapes, compared like with like**: in both, every phase builds a fresh framework
  object graph. "New ... per phase" also opens the storage anew each phase (what a process that
  rebuilds everything per request pays); "one connection / one store object" creates it once and
  reuses it across phases and cycles (what a long-running service pays). In every system the
  tool is defined once at module scope, as users write it. Ratios and the cycle target set each
  kern SqliteDb shape against the peers and floor of the same shape.`;

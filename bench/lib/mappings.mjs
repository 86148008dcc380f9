// How the dual-HITL cycle maps onto each peer, printed into RESULTS.md.
export const MAPPINGS = `- **kern**: \`new Workflow({ db, steps: [new Step({ name: "send_alert", agent, requiresConfirmation: true })] })\`;
  the agent's \`send_alert\` tool (\`tool()\` from \`kern/tools\`, zod parameters) has
  \`requiresConfirmation: true\`. Phase 1 is \`workflow.run()\`; phases 2 and 3 are
  \`workflow.continueRun({ runId, sessionId, decisions })\` with the decision as data (the form an
  approval UI sends). The model is a six-line \`Model\` (turn 1: a tool call; turn 2: text) that
  records nothing; the tool is defined once at module scope. New per phase: a new Workflow,
  Agent, model and SqliteDb (or PostgresDb on the application's pg pool) every phase. Service: one
  SqliteDb or PostgresDb and one Workflow (with its Agent and model) for every phase and cycle.
  InMemoryDb is timed in the service lifetime only and set against no durable store.
- **OpenAI Agents JS**: it has no workflow or step layer, so the step gate is application code:
  pause 1 inserts \`{ stage: "step" }\` into the app's run table. Phase 2 claims the row (read +
  compare-and-set on a revision, as kern does), runs the \`Agent\` whose \`tool()\` has
  \`needsApproval: true\`, and stores \`result.state.toString()\` in the row. Phase 3 claims the row,
  \`RunState.fromString(agent, text)\`, \`state.approve(interruption)\`, \`run(agent, state)\`.
  Tracing is disabled. The model implements its \`Model\` interface (\`getResponse\`). SQLite:
  better-sqlite3, WAL, synchronous=FULL, a new connection and Agent per phase, or one of each
  (statements prepared once). PostgreSQL: the same table on one pg pool, one Agent.
  Unfaithfulness: the step gate costs the framework nothing here, and the app table has no
  index, inbox, audit record or event; this favours this peer.
- **LangGraph.js**: one \`StateGraph(MessagesAnnotation)\`: START → \`step_gate\` (calls
  \`interrupt()\`, pause 1) → \`agent\` (the chat model) ⇄ \`tools\` (a \`ToolNode\` whose \`send_alert\`
  tool calls \`interrupt()\` before its side effect, pause 2), resumed with
  \`invoke(new Command({ resume: true }), { configurable: { thread_id } })\`. The model is a
  \`BaseChatModel\` subclass (\`_generate\`). New per phase: a new \`SqliteSaver\` on a new
  better-sqlite3 connection (WAL set by the saver, synchronous=FULL set by the bench, as kern
  runs), whose tables are checked on first use, and the graph compiled anew. Service: one saver
  and one graph compiled once (\`SqliteSaver\`, or \`PostgresSaver\` on its own pool, \`setup()\`
  once). Stored bytes are every checkpoint and pending write of the thread (LangGraph keeps history).
- **Mastra**: a workflow with one \`createStep\` whose \`execute\` calls \`suspend()\` when it has no
  resume data (pause 1). Resumed, it calls \`agent.generate()\`; the agent's \`createTool\` has
  \`requireApproval: true\`, so generate stops with \`finishReason: "suspended"\` and the step
  suspends again with the agent's run id (pause 2). The last resume calls
  \`agent.approveToolCallGenerate({ runId, toolCallId })\`, which loads the agent's own snapshot,
  runs the tool and finishes. The model is a minimal AI SDK \`LanguageModelV2\` (\`doStream\`).
  New per phase: a new \`LibSQLStore\` on the same file, which **also initialises its schema**
  (its tables and pragmas, on first use) in every phase, and a new \`Mastra\`, workflow and agent.
  Service: one store and one \`Mastra\` for every phase (\`LibSQLStore\`, or \`PostgresStore\` with
  its own pool). Mastra sets synchronous=NORMAL on its libsql connections (a pool); the bench does
  not override it, so Mastra's SQLite commits are not synced to disk as the others' are.
  Stored bytes are the workflow snapshot plus the agent's snapshots for that run.
- **Raw floor**: bench/FLOOR.md: seven commits per cycle on kern's own tables and indexes, with
  kern's pragmas and the very strings a kern cycle stored; one statement per write on PostgreSQL.
- **Open connections**: every SQLite file of a "new per phase" system is held open by one extra
  connection for the whole run, as a live service holds its database; otherwise each phase would
  close the file's last connection and SQLite would checkpoint and delete the WAL every time. The
  same connection runs the counter's checkpoints; the service systems' own connection stays open.
- **PostgreSQL**: only the service lifetime is compared (a service keeps one pool; none opens a
  pool per request); kern's \`new PostgresDb({ pool })\` per phase is shown for reference. Each
  system has its own schema in one throwaway cluster.`;

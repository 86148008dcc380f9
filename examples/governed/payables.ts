// Governed approvals over HTTP: a lead plans a payment, finance approves it, nobody else can,
// the principal who started the run cannot approve her own plan, and every decision lands in a
// tamper-evident decisions table. Offline: a scripted model, an in-memory store, API keys.
//
//   node --conditions=kern-source --import tsx examples/governed/payables.ts

import { verifyDecisionChain } from "kern";
import { Agent } from "kern/agent";
import { InMemoryDb } from "kern/db/memory";
import { createServer, hashApiKey } from "kern/server";
import { FakeModel, text, toolCall } from "kern/testing";
import { tool } from "kern/tools";
import { Step, Workflow } from "kern/workflow";
import { z } from "zod";

type Json = Record<string, unknown>;

const db = new InMemoryDb();
let payments = 0;
const payInvoice = tool({
  name: "pay_invoice",
  description: "Pay a supplier invoice.",
  parameters: z.object({ invoice: z.string(), amountEur: z.number() }),
  requiresConfirmation: true,
  approvers: ["finance"],
  execute: ({ invoice, amountEur }) => {
    payments += 1;
    return `Paid ${invoice}: ${amountEur} EUR`;
  },
});
const model = new FakeModel([toolCall("pay_invoice", { invoice: "INV-7", amountEur: 1200 }), text("INV-7 is paid.")]);
const payer = new Agent({ name: "Payer", model, tools: [payInvoice], db });
const workflow = new Workflow({
  name: "payables",
  db,
  steps: [
    new Step({
      name: "plan",
      executor: () => "Pay INV-7 (1200 EUR) to ACME",
      requiresConfirmation: true,
      confirmationMessage: "Pay this week's invoices as planned?",
      approvers: ["lead"],
      allowSelfApproval: false,
    }),
    new Step({ name: "pay", agent: payer }),
  ],
});

// In production the keys come from a secret store; only their SHA-256 is in the config.
const keys = { lena: "key-of-lena", leo: "key-of-leo", fred: "key-of-fred" };
const server = createServer({
  workflows: [workflow],
  auth: {
    apiKeys: [
      { sha256: hashApiKey(keys.lena), principal: { id: "lena", roles: ["lead"] } },
      { sha256: hashApiKey(keys.leo), principal: { id: "leo", roles: ["lead"] } },
      { sha256: hashApiKey(keys.fred), principal: { id: "fred", roles: ["finance"] } },
    ],
  },
  sweepIntervalMs: 0,
});
const { url, close } = await server.start({ port: 0 });

async function api(path: string, key: string | null, body?: Json): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

const errorOf = (answer: { status: number; body: Json }): string =>
  `${answer.status} ${String((answer.body["error"] as Json | undefined)?.["code"])}`;

try {
  const runs = "/api/workflows/payables/runs";
  console.log(`1. Without a key: ${errorOf(await api(runs, null, { input: "Pay this week's invoices" }))}`);
  const run = (await api(runs, keys.lena, { input: "Pay this week's invoices" })).body;
  const continueUrl = `${runs}/${String(run["runId"])}/continue`;
  const plan = String((run["activeRequirement"] as Json)["id"]);
  const confirmPlan = {
    sessionId: run["sessionId"],
    decisions: [{ requirementId: plan, decision: { type: "confirm" } }],
  };
  console.log(
    `2. Lena started the run and tries to approve her own plan: ${errorOf(await api(continueUrl, keys.lena, confirmPlan))}`,
  );
  console.log(
    `3. Fred (finance) may not decide the plan, so he does not even see the run: ${errorOf(await api(continueUrl, keys.fred, confirmPlan))}`,
  );
  const paused = (await api(continueUrl, keys.leo, confirmPlan)).body;
  const calls = (paused["activeRequirement"] as Json)["calls"] as Array<{ requirement: { id: string } }>;
  console.log(`4. Leo (lead) approved the plan; the run now waits for: ${String(paused["pauseKind"])}`);
  const pay = {
    sessionId: run["sessionId"],
    decisions: calls.map(({ requirement }) => ({ requirementId: requirement.id, decision: { type: "confirm" } })),
  };
  console.log(
    `5. Lena tries to approve the payment: ${errorOf(await api(continueUrl, keys.lena, pay))}; payments so far: ${payments}`,
  );
  const done = (await api(continueUrl, keys.fred, pay)).body;
  console.log(`6. Fred approved the payment: the run is ${String(done["status"])}, payments made: ${payments}`);
  const decisions = (await api(`/api/decisions?kind=workflow&runId=${String(run["runId"])}`, keys.lena)).body[
    "decisions"
  ] as Json[];
  for (const entry of decisions) {
    console.log(
      `   decision ${String(entry["seq"])}: ${String(entry["gateKind"])} ${String(entry["decision"])} by ${String(entry["actorId"])} (${(entry["actorRoles"] as string[]).join(", ")}) at ${new Date(Number(entry["decidedAt"])).toISOString()}, shown ${String(entry["shownDigest"]).slice(0, 12)}…`,
    );
  }
  const verdict = await verifyDecisionChain(db, { kind: "workflow", runId: String(run["runId"]) });
  console.log(`7. The decisions chain verifies: ${verdict.ok} (${verdict.entries} entries)`);
} finally {
  await close();
}

import { z } from "zod";
import type { Db } from "../db/db.js";
import { InMemoryDb } from "../db/memory/index.js";
import type { GateTimeout, Principal } from "../runs/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { type Tool, tool } from "../tools/index.js";
import { Agent } from "./agent.js";

export const START = Date.parse("2026-12-02T09:00:00Z");
export const FINANCE: Principal = { id: "fran", roles: ["finance"] };
export const CONTROLLER: Principal = { id: "cora", roles: ["controllers"] };

/** A payment agent whose gated tool has `timeout`; the model pays once, then answers. `clock.now` is its clock. */
export function payer(timeout: GateTimeout, options: { db?: Db; approvers?: string[] } = {}) {
  const paid: string[] = [];
  const clock = { now: START };
  const pay: Tool = tool({
    name: "pay_invoice",
    parameters: z.object({ invoice: z.string() }),
    requiresConfirmation: true,
    ...(options.approvers === undefined ? {} : { approvers: options.approvers }),
    timeout,
    execute: ({ invoice }) => {
      paid.push(invoice);
      return `Paid ${invoice}`;
    },
  });
  const model = new FakeModel([toolCall("pay_invoice", { invoice: "INV-7" }), text("Done.")]);
  const db = options.db ?? new InMemoryDb();
  const agent = new Agent({ name: "Payer", model, tools: [pay], db, now: () => clock.now });
  return { agent, model, db, paid, clock };
}

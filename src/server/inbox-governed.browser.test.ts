import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import type { Principal } from "../runs/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { Step, Workflow } from "../workflow/index.js";
import { type Browser, chromiumSkip, closeAll, openBrowser } from "./inbox-browser.test-helper.js";
import { hashApiKey } from "./index.js";
import { type Json, type LiveServer, startServer } from "./server.test-helper.js";

const PEOPLE = {
  leo: { id: "leo", roles: ["lead"] },
  lena: { id: "lena", roles: ["lead"] },
  fred: { id: "fred", roles: ["finance"], name: "Fred Ames" },
  sam: { id: "sam", roles: ["ops"] },
} satisfies Record<string, Principal>;
type Person = keyof typeof PEOPLE;

const keyOf = (person: Person): string => `test-key-${person}-0123456789`;
// A right-to-left override: shown raw, "\u202E0001 USD" would read as "1000 USD".
const AMOUNT = "\u202E0001 USD";
const MARK = "\u27E6U+202E\u27E7";

/** A step gate only a lead may pass, then an agent whose payment only finance may approve. */
function payables(): { workflow: Workflow; db: InMemoryDb; paid: string[] } {
  const db = new InMemoryDb();
  const paid: string[] = [];
  const pay = tool({
    name: "pay_invoice",
    parameters: z.object({ invoice: z.string(), amount: z.string() }),
    requiresConfirmation: true,
    approvers: ["finance"],
    execute: ({ invoice }) => {
      paid.push(invoice);
      return `Paid ${invoice}`;
    },
  });
  const model = new FakeModel([toolCall("pay_invoice", { invoice: "INV-7", amount: AMOUNT }), text("Paid.")]);
  const agent = new Agent({ name: "Payer", model, tools: [pay], db });
  const workflow = new Workflow({
    name: "payables",
    db,
    steps: [
      new Step({ name: "plan", executor: () => "pay INV-7", requiresConfirmation: true, approvers: ["lead"] }),
      new Step({ name: "pay", agent }),
    ],
  });
  return { workflow, db, paid };
}

async function governedServer(workflow: Workflow): Promise<LiveServer> {
  const apiKeys = (Object.keys(PEOPLE) as Person[]).map((person) => ({
    sha256: hashApiKey(keyOf(person)),
    principal: PEOPLE[person],
  }));
  return startServer({ workflows: [workflow], auth: { apiKeys }, sweepIntervalMs: 0 });
}

/** Calls the API signed in as `person`. */
async function callAs(server: LiveServer, person: Person, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(server.url + path, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${keyOf(person)}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(response.status, 200, `${path} as ${person}`);
  return (await response.json()) as Json;
}

/** Opens the inbox in a fresh browser and signs in as `person`. */
async function signedIn(server: LiveServer, person: Person, browsers: Browser[]): Promise<Page> {
  const browser = await openBrowser();
  browsers.push(browser);
  await browser.page.goto(`${server.url}/`);
  await signIn(browser.page, keyOf(person));
  return browser.page;
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.getByLabel("API key or bearer token").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** `22:05:09.123Z`-style ISO time as the page shows it: "2026-12-02 22:05 UTC". */
function shownAt(iso: unknown): string {
  assert.equal(typeof iso, "string");
  return `${String(iso).slice(0, 10)} ${String(iso).slice(11, 16)} UTC`;
}

describe("the approval inbox page with sign-in, in Chromium", { skip: chromiumSkip }, () => {
  it("signs each principal in, shows only the gates they may decide, and records both decisions", async () => {
    const { workflow, db, paid } = payables();
    const server = await governedServer(workflow);
    const browsers: Browser[] = [];
    try {
      const run = await callAs(server, "sam", "/api/workflows/payables/runs", { input: "Pay this week's invoices" });
      const runPath = `/api/workflows/payables/runs/${String(run["runId"])}?sessionId=${String(run["sessionId"])}`;

      // Without sign-in the page asks for a key, and a key the server does not know is refused.
      const leoBrowser = await openBrowser();
      browsers.push(leoBrowser);
      const leo = leoBrowser.page;
      await leo.goto(`${server.url}/`);
      await leo.locator("#signin").getByText("This server needs you to sign in").waitFor();
      assert.equal(await leo.locator("article.card").count(), 0);
      await signIn(leo, "not-a-key");
      await leo.locator("#signin").getByText("Your sign-in was not accepted").waitFor();

      await signIn(leo, keyOf("leo"));
      const stepCard = leo.locator('article.card[data-kind="confirmation"]');
      await stepCard.getByText("Approve step").waitFor();
      assert.equal(await leo.locator("#who").textContent(), "Signed in with an API key");
      assert.equal(await leo.locator("article.card").count(), 1);
      // The key lives in this tab's sessionStorage only: nothing in localStorage, no cookie.
      const storage = await leo.evaluate("[sessionStorage.length, localStorage.length]");
      assert.deepEqual(storage, [1, 0]);
      assert.deepEqual(await leoBrowser.context.cookies(), []);

      const fred = await signedIn(server, "fred", browsers);
      await fred.getByText("Nothing waits for a decision.").waitFor();

      await stepCard.getByRole("button", { name: "Approve", exact: true }).click();
      await leo.locator("#notice", { hasText: "payables now waits for someone else's decision." }).waitFor();
      await leo.getByText("Nothing waits for a decision.").waitFor();
      assert.equal(await leo.locator("article.card").count(), 0, "the lead never sees the finance gate");

      await fred.getByRole("button", { name: "Refresh" }).click();
      const toolCard = fred.locator('article.card[data-kind="executor"]');
      await toolCard.locator("code.tool-name", { hasText: "pay_invoice" }).waitFor();
      const planned = await callAs(server, "sam", runPath);
      const plan = (planned["stepRequirements"] as Json[])[0];
      const history = `Step 'plan' confirmed by leo (lead) at ${shownAt(plan?.["decidedAt"])}`;
      await toolCard.locator(".history li", { hasText: history }).waitFor();
      const shown = (await toolCard.textContent()) ?? "";
      assert.ok(shown.includes(`"amount": "${MARK}0001 USD"`), `the override is shown as a mark: ${shown}`);
      assert.ok(!shown.includes("\u202E"), "the raw override never reaches the page's text");
      assert.equal(await toolCard.locator(".invisible-mark").count(), 1);
      assert.deepEqual(paid, [], "nothing is paid before finance approves");

      await toolCard.getByRole("button", { name: "Approve", exact: true }).click();
      await fred.locator("#notice", { hasText: "payables completed" }).waitFor();
      assert.deepEqual(paid, ["INV-7"], "the payment ran exactly once");
      const done = await callAs(server, "sam", runPath);
      assert.equal(done["status"], "completed");

      const entries = await db.listDecisions({ runId: String(run["runId"]) });
      assert.deepEqual(
        entries.map((entry) => [entry.actorId, entry.actorRoles, entry.gateKind, entry.automatic]),
        [
          ["leo", ["lead"], "confirmation", false],
          ["fred", ["finance"], "confirmation", false],
        ],
      );
      assert.equal(entries[0]?.decidedAt, Date.parse(String(plan?.["decidedAt"])));
      for (const entry of entries) {
        assert.match(entry.shownDigest ?? "", /^[0-9a-f]{64}$/);
        assert.ok(entry.decidedAt >= Number(run["createdAt"]) && entry.decidedAt <= Date.now());
      }

      // Signing out forgets the key and shows nothing of what was listed.
      await fred.getByRole("button", { name: "Sign out" }).click();
      await fred.locator("#signin").getByText("Signed out.").waitFor();
      assert.equal(await fred.evaluate("sessionStorage.length"), 0);
      assert.equal(await fred.locator("article.card").count(), 0);
    } finally {
      await closeAll(browsers);
      await server.close();
    }
  });

  it("shows who decided first when another lead wins the race, and refreshes the list", async () => {
    const { workflow, paid } = payables();
    const server = await governedServer(workflow);
    const browsers: Browser[] = [];
    try {
      // Leo starts the run, so he still sees it after Lena moves it on to the finance gate.
      await callAs(server, "leo", "/api/workflows/payables/runs", { input: "Pay this week's invoices" });
      const [leo, lena] = await Promise.all([signedIn(server, "leo", browsers), signedIn(server, "lena", browsers)]);
      const leoCard = leo.locator('article.card[data-kind="confirmation"]');
      const lenaCard = lena.locator('article.card[data-kind="confirmation"]');
      await Promise.all([leoCard.getByText("Approve step").waitFor(), lenaCard.getByText("Approve step").waitFor()]);

      await lenaCard.getByRole("button", { name: "Approve", exact: true }).click();
      await lena.locator("#notice", { hasText: "now waits for someone else's decision" }).waitFor();

      await leoCard.getByRole("button", { name: "Approve", exact: true }).click();
      const stale = leo.locator("article.card.stale");
      await stale.locator(".card-error", { hasText: /already decided by lena \(lead\)/ }).waitFor();
      // The list was loaded again: the run now waits for finance, which Leo may not decide.
      await leo.getByText("Nothing waits for a decision.").waitFor();
      assert.equal(await stale.getByRole("button", { name: "Approve", exact: true }).isDisabled(), true);
      assert.deepEqual(paid, []);
    } finally {
      await closeAll(browsers);
      await server.close();
    }
  });
});

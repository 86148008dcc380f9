import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { chromium, type BrowserContext } from "playwright-core";
import { InMemoryDb } from "../db/memory/index.js";
import { pingAgent, scenarioOne, startServer } from "./server.test-helper.js";

const CHROMIUM = "/usr/bin/chromium";
// Debian's Chromium, headless, with nothing that reaches the network on its own.
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the inbox browser test`;

async function launch(profile: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 30_000 });
  context.setDefaultTimeout(10_000);
  return context;
}

describe("the approval inbox page in Chromium", { skip }, () => {
  it("approves scenario 1's step and tool call by clicking; the tool runs once and the run completes", async (t) => {
    const db = new InMemoryDb();
    const { workflow, sent } = scenarioOne(db);
    // An agent whose tool arguments hold markup: the page must show it as text, never run it.
    const markup = "<img src=x onerror=document.title='pwned'>";
    const { agent, pinged } = pingAgent(db, markup);
    const server = await startServer({ workflows: [workflow], agents: [agent], sweepIntervalMs: 0 });
    const profile = mkdtempSync(join(tmpdir(), "kern-inbox-chromium-"));
    let context: BrowserContext | undefined;
    try {
      const run = (await server.post("/api/workflows/DualConfirmation/runs", { input: "Send a weather alert for Tokyo about heavy rain" })).body;
      const agentRun = (await server.post("/api/agents/Pinger/runs", { input: "Ping it" })).body;
      context = await launch(profile);
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${server.url}/`);

      const stepCard = page.locator('article.card[data-kind="confirmation"]');
      await stepCard.getByText("Proceed with sending the alert?").waitFor();
      const agentCard = page.locator('article.card[data-kind="agent"]');
      await agentCard.getByText(markup, { exact: false }).first().waitFor();
      assert.notEqual(await page.title(), "pwned");
      await stepCard.getByRole("button", { name: "Approve", exact: true }).click();

      const toolCard = page.locator('article.card[data-kind="executor"]');
      await toolCard.locator("code.tool-name", { hasText: "send_alert" }).waitFor();
      assert.match(await toolCard.innerText(), /Heavy rain expected tonight\./);
      assert.deepEqual(sent, [], "nothing runs before the tool call is approved");
      const screenshot = join(tmpdir(), `kern-inbox-${process.pid}.png`);
      await page.screenshot({ path: screenshot, fullPage: true });
      t.diagnostic(`inbox screenshot: ${screenshot}`);

      await toolCard.getByRole("button", { name: "Approve", exact: true }).click();
      await page.locator("#notice", { hasText: "DualConfirmation completed" }).waitFor();
      await toolCard.waitFor({ state: "detached" });

      const stored = await server.get(`/api/workflows/DualConfirmation/runs/${String(run["runId"])}?sessionId=${String(run["sessionId"])}`);
      assert.equal(stored.body["status"], "completed");
      assert.equal(stored.body["content"], "Logged: Alert sent for Tokyo.");
      assert.deepEqual(sent, ["Tokyo"], "the approved tool ran exactly once");

      await agentCard.getByPlaceholder("Note for a rejection (optional)").fill("Not that host");
      await agentCard.getByRole("button", { name: "Reject", exact: true }).click();
      await page.getByText("Nothing waits for a decision.").waitFor();
      const agentStored = await server.get(`/api/agents/Pinger/runs/${String(agentRun["runId"])}?sessionId=${String(agentRun["sessionId"])}`);
      assert.equal(agentStored.body["status"], "completed");
      assert.deepEqual(pinged, [], "a rejected tool call never runs");
      assert.notEqual(await page.title(), "pwned");
    } finally {
      await context?.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

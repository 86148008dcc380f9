import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type BrowserContext, chromium } from "playwright-core";
import { requirePrerequisite } from "../../scripts/test-prerequisites.mjs";
import { InMemoryDb } from "../db/memory/index.js";
import { Router, Step, Workflow } from "../workflow/index.js";
import { pingAgent, scenarioOne, startServer } from "./server.test-helper.js";

const CHROMIUM = "/usr/bin/chromium";
// Debian's Chromium, headless, with nothing that reaches the network on its own.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
// Without Chromium the file fails, naming the package to install (npm test checks it first).
const skip = requirePrerequisite("chromium");

async function launch(profile: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    timeout: 30_000,
  });
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
      const run = (
        await server.post("/api/workflows/DualConfirmation/runs", {
          input: "Send a weather alert for Tokyo about heavy rain",
        })
      ).body;
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
      // biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator (the text a person sees), not a DOM node
      assert.match(await toolCard.innerText(), /Heavy rain expected tonight\./);
      assert.deepEqual(sent, [], "nothing runs before the tool call is approved");
      const screenshot = join(tmpdir(), `kern-inbox-${process.pid}.png`);
      await page.screenshot({ path: screenshot, fullPage: true });
      t.diagnostic(`inbox screenshot: ${screenshot}`);

      await toolCard.getByRole("button", { name: "Approve", exact: true }).click();
      await page.locator("#notice", { hasText: "DualConfirmation completed" }).waitFor();
      await toolCard.waitFor({ state: "detached" });

      const stored = await server.get(
        `/api/workflows/DualConfirmation/runs/${String(run["runId"])}?sessionId=${String(run["sessionId"])}`,
      );
      assert.equal(stored.body["status"], "completed");
      assert.equal(stored.body["content"], "Logged: Alert sent for Tokyo.");
      assert.deepEqual(sent, ["Tokyo"], "the approved tool ran exactly once");

      await agentCard.getByPlaceholder("Note for a rejection (optional)").fill("Not that host");
      await agentCard.getByRole("button", { name: "Reject", exact: true }).click();
      await page.getByText("Nothing waits for a decision.").waitFor();
      const agentStored = await server.get(
        `/api/agents/Pinger/runs/${String(agentRun["runId"])}?sessionId=${String(agentRun["sessionId"])}`,
      );
      assert.equal(agentStored.body["status"], "completed");
      assert.deepEqual(pinged, [], "a rejected tool call never runs");
      assert.notEqual(await page.title(), "pwned");
    } finally {
      await context?.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it("decides a form, a route, an output review and a failed step by clicking, each sent as its decision", async () => {
    const db = new InMemoryDb();
    let failures = 1;
    const ran: string[] = [];
    const workflow = new Workflow({
      name: "Forms",
      db,
      steps: [
        new Step({
          name: "form",
          requiresUserInput: true,
          userInputMessage: "Which team?",
          userInputSchema: [{ name: "team", type: "string" }],
          executor: (input) => `team ${String((input.additionalData["userInput"] as Record<string, unknown>)["team"])}`,
        }),
        new Router({
          name: "route",
          requiresUserInput: true,
          userInputMessage: "Where to?",
          choices: [
            new Step({
              name: "email",
              executor: () => {
                ran.push("email");
                return "emailed";
              },
            }),
            new Step({
              name: "sms",
              executor: () => {
                ran.push("sms");
                return "texted";
              },
            }),
          ],
        }),
        new Step({
          name: "draft",
          requiresOutputReview: true,
          outputReviewMessage: "Good draft?",
          executor: () => "first draft",
        }),
        new Step({
          name: "flaky",
          onError: "pause",
          executor: () => {
            if (failures-- > 0) throw new Error("upstream down");
            return "recovered";
          },
        }),
      ],
    });
    const server = await startServer({ workflows: [workflow], sweepIntervalMs: 0 });
    const profile = mkdtempSync(join(tmpdir(), "kern-inbox-chromium-"));
    let context: BrowserContext | undefined;
    try {
      const run = (await server.post("/api/workflows/Forms/runs", { input: "go" })).body;
      context = await launch(profile);
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${server.url}/`);
      const form = page.locator('article.card[data-kind="userInput"]');
      await form.getByLabel("team").fill("blue");
      await form.getByRole("button", { name: "Submit input" }).click();
      const route = page.locator('article.card[data-kind="route"]');
      await route.getByLabel("sms").check();
      await route.getByRole("button", { name: "Run selected" }).click();
      const review = page.locator('article.card[data-kind="outputReview"]');
      await review.getByText("first draft").first().waitFor();
      await review.getByText("Edit the output").click();
      await review.getByLabel("Edited output").fill("better draft");
      await review.getByRole("button", { name: "Approve with edits" }).click();
      const failed = page.locator('article.card[data-kind="error"]');
      await failed.getByText("upstream down").waitFor();
      await failed.getByRole("button", { name: "Retry" }).click();
      await page.locator("#notice", { hasText: "Forms completed" }).waitFor();
      const stored = (
        await server.get(`/api/workflows/Forms/runs/${String(run["runId"])}?sessionId=${String(run["sessionId"])}`)
      ).body;
      assert.equal(stored["status"], "completed");
      assert.deepEqual(
        (stored["stepRequirements"] as Array<Record<string, unknown>>).map((requirement) => requirement["decision"]),
        [
          { type: "input", values: { team: "blue" } },
          { type: "select", choices: ["sms"] },
          { type: "edit", output: "better draft" },
          { type: "retry" },
        ],
      );
      assert.deepEqual(ran, ["sms"]);
      assert.deepEqual(
        (stored["stepResults"] as Array<Record<string, unknown>>).map((output) => output["content"]),
        ["team blue", "texted", "better draft", "recovered"],
      );
    } finally {
      await context?.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

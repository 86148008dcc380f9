import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InMemoryDb } from "../db/memory/index.js";
import { type Browser, chromiumSkip, openBrowser } from "./inbox-browser.test-helper.js";
import { nestedApps } from "./nested.test-helper.js";
import { startServer } from "./server.test-helper.js";

describe("the approval inbox: requirements of sub-agents", { skip: chromiumSkip }, () => {
  it("shows each tool call's breadcrumb from the workflow (or the agent) to the tool, and approves it", async () => {
    const apps = nestedApps(new InMemoryDb());
    const server = await startServer({ workflows: [apps.workflow], agents: [apps.planner], sweepIntervalMs: 0 });
    let browser: Browser | undefined;
    try {
      await server.post("/api/agents/Planner/runs", { input: "Plan" });
      await server.post("/api/workflows/Incident/runs", { input: "db down" });
      browser = await openBrowser();
      const { page } = browser;
      await page.goto(`${server.url}/`);

      const workflowCard = page.locator('article.card[data-kind="executor"]', { hasText: "Incident › respond" });
      const agentCard = page.locator('article.card[data-kind="agent"]', { hasText: "Planner" });
      await workflowCard
        .locator("p.path", { hasText: "Incident › respond › Coordinator › Notifier › page_oncall" })
        .waitFor();
      await agentCard.locator("p.path", { hasText: "Planner › Alerter › send_alert" }).waitFor();
      await agentCard.locator("p.question", { hasText: "Planner › Alerter wants to call send_alert." }).waitFor();

      await workflowCard.getByRole("button", { name: "Approve", exact: true }).click();
      await page.locator("#notice", { hasText: "Incident completed" }).waitFor();
      await agentCard.getByRole("button", { name: "Approve", exact: true }).click();
      await page.locator("#notice", { hasText: "Planner completed" }).waitFor();
      assert.deepEqual(apps.calls.sort(), ["page_oncall db", "send_alert Tokyo"]);
    } finally {
      await browser?.close();
      await server.close();
    }
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { Agent } from "../agent/index.js";
import { InMemoryDb } from "../db/memory/index.js";
import { FakeModel, text, toolCall } from "../testing/index.js";
import { tool } from "../tools/index.js";
import { type Browser, chromiumSkip, openBrowser } from "./inbox-browser.test-helper.js";
import { startServer } from "./server.test-helper.js";

/** An agent whose model asks, once per run, to send an alert for the next city; the gated tool records each. */
function alerter(db: InMemoryDb, sent: string[]): Agent {
  const send = tool({
    name: "send_alert",
    parameters: z.object({ city: z.string() }),
    requiresConfirmation: true,
    execute: ({ city }) => {
      sent.push(city);
      return `Alert sent for ${city}`;
    },
  });
  const script = ["Osaka", "Kyoto", "Nara"].flatMap((city) => [toolCall("send_alert", { city }), text("Done.")]);
  return new Agent({ name: "Alerts", model: new FakeModel(script), tools: [send], db });
}

describe("the approval inbox: approve and always allow", { skip: chromiumSkip }, () => {
  it("a session grant lets the next call run unasked, is listed, and once revoked the next call pauses again", async () => {
    const db = new InMemoryDb();
    const sent: string[] = [];
    const server = await startServer({ agents: [alerter(db, sent)], sweepIntervalMs: 0 });
    const start = () => server.post("/api/agents/Alerts/runs", { input: "Alert", sessionId: "s-1" });
    let browser: Browser | undefined;
    try {
      assert.equal((await start()).body["status"], "paused");
      browser = await openBrowser();
      const { page } = browser;
      await page.goto(`${server.url}/`);
      const card = page.locator('article.card[data-kind="agent"]', { hasText: "Alerts" });
      await card.locator("code.tool-name", { hasText: "send_alert" }).waitFor();
      await page.locator("#grant-list", { hasText: "No tool is always allowed." }).waitFor();

      await card.getByText("Approve and always allow\u2026").click();
      await card.getByRole("combobox", { name: "Always allow for" }).selectOption("session");
      await card.getByRole("combobox", { name: "Grant expires" }).selectOption("86400");
      await card.getByRole("button", { name: "Approve and always allow" }).click();
      await page.locator("#notice", { hasText: "Alerts completed" }).waitFor();
      assert.deepEqual(sent, ["Osaka"]);
      const listed = page.locator("#grant-list li.grant", { hasText: "send_alert" });
      await listed.waitFor();
      assert.match((await listed.textContent()) ?? "", /this session \(session s-1\)/);
      const [grant] = await db.listGrants();
      assert.deepEqual([grant?.scope, grant?.scopeId], ["session", "s-1"]);
      assert.equal((grant?.expiresAt ?? 0) - (grant?.createdAt ?? 0), 86_400_000);

      // The second call in the session runs at once: nothing new waits in the inbox.
      assert.equal((await start()).body["status"], "completed");
      assert.deepEqual(sent, ["Osaka", "Kyoto"]);
      await page.locator("#refresh").click();
      await page.getByText("Nothing waits for a decision.").waitFor();

      await listed.getByRole("button", { name: "Revoke" }).click();
      await page.locator("#notice", { hasText: "Revoked: send_alert" }).waitFor();
      await page.locator("#grant-list", { hasText: "No tool is always allowed." }).waitFor();
      assert.notEqual((await db.getGrant(grant?.id ?? ""))?.revokedAt ?? null, null);

      assert.equal((await start()).body["status"], "paused", "after the revoke the next call asks again");
      await page.locator("#refresh").click();
      await card.locator("code.tool-name", { hasText: "send_alert" }).waitFor();
      assert.deepEqual(sent, ["Osaka", "Kyoto"]);
    } finally {
      await browser?.close();
      await server.close();
    }
  });
});

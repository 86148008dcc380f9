import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { requirePrerequisite } from "../../scripts/test-prerequisites.mjs";

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

/** The `skip` of a Chromium suite: without Chromium the file fails, naming the package to install. */
export const chromiumSkip = requirePrerequisite("chromium");

/** One person's browser: its own Chromium profile, so its sessionStorage and cookies are its own. */
export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Starts headless Chromium on a fresh profile with one page open. */
export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "kern-inbox-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      timeout: 30_000,
    });
    context.setDefaultTimeout(10_000);
    const page = context.pages()[0] ?? (await context.newPage());
    return {
      context,
      page,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

/** Closes every browser opened so far (a test's `finally`). */
export async function closeAll(browsers: readonly Browser[]): Promise<void> {
  await Promise.all(browsers.map((browser) => browser.close()));
}

// A real browser for the console's end-to-end tests: Debian's Chromium driven by playwright-core,
// headless, with a fresh profile, and screenshots of each step under test-output/console/<suite>/.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { HAS_CHROMIUM, launchChromium } from "./browser.ts";

/** Skip reason where Chromium is missing (`.ci/run` installs it, so CI always runs these tests). */
export const NO_CHROMIUM: string | false = !HAS_CHROMIUM && "needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)";
const ROOT = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..", "..");
export const SCREENSHOT_ROOT = join(ROOT, "test-output", "console");

export interface ConsoleBrowser {
  page: Page;
  /** Screenshot the page as `NN-<name>.png` in this suite's folder. */
  shot(name: string): Promise<void>;
  /** Messages the page logged as errors, and requests the page's CSP refused. */
  problems: string[];
  close(): Promise<void>;
}

export async function openConsole(url: string, suite: string): Promise<ConsoleBrowser> {
  const browser = await launchChromium({ width: 1400, height: 900 });
  const context = browser.context;
  const page = context.pages()[0] ?? (await context.newPage());
  // Only this machine: any request to another host fails at once.
  const origin = new URL(url).origin;
  await page.route("**/*", (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
  const problems: string[] = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(String(e)));
  const dir = join(SCREENSHOT_ROOT, suite);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let n = 0;
  return {
    page,
    problems,
    shot: async (name) => {
      n++;
      await page.screenshot({ path: join(dir, `${String(n).padStart(2, "0")}-${name}.png`), fullPage: true });
    },
    close: () => browser.close(),
  };
}

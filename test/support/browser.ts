// A real Chromium for tests that play a web page: headless, no sandbox (tests run in a user
// namespace), a fresh profile each time, no background traffic. Pages come from a local server the
// test starts (servePages), so a page has an origin of its own, unlike the server under test.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const HAS_CHROMIUM = existsSync(CHROMIUM);

export async function launchChromium(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "hyperlocal-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    ...(viewport ? { viewport } : {}),
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface PageServer {
  port: number;
  /** Serve `body` at `path` (content-type from the extension: .html, .js). */
  put(path: string, body: string): void;
  close(): Promise<void>;
}

/** A second local HTTP server for the pages: another port, so another origin than hyperlocal's. */
export async function servePages(): Promise<PageServer> {
  const pages = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const page = pages.get((req.url ?? "/").split("?")[0]);
    if (page === undefined) {
      res.statusCode = 404;
      res.end("not found");
      return;
    }
    res.setHeader("content-type", req.url?.endsWith(".js") ? "text/javascript" : "text/html; charset=utf-8");
    res.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    put: (path, body) => void pages.set(path, body),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

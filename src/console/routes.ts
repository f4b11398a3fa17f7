// GET /_hyperlocal/console/ → the console's HTML; app.<hash>.js and app.<hash>.css → the bundle.
// Everything is served from this origin, with a Content-Security-Policy that allows only 'self'.
import type { AdminRequest, AdminResponse, AdminRoutes } from "../core/admin.ts";
import { adminError } from "../core/admin.ts";
import { buildConsole, type ConsoleBundle } from "./build.ts";

export const CONSOLE_PATH = "/_hyperlocal/console/";

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

export function consoleHtml(bundle: ConsoleBundle): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hyperlocal console</title>
<link rel="stylesheet" href="${CONSOLE_PATH}app.${bundle.hash}.css">
<script type="module" src="${CONSOLE_PATH}app.${bundle.hash}.js"></script>
</head>
<body>
<div id="root"><p>Loading the hyperlocal console…</p></div>
<noscript>The hyperlocal console needs JavaScript.</noscript>
</body>
</html>
`;
}

function asset(body: string, type: string, cache: string): AdminResponse {
  return { status: 200, body, headers: { "content-type": type, "cache-control": cache, ...SECURITY_HEADERS } };
}

function compressible(req: AdminRequest, body: string, gzip: Buffer, type: string): AdminResponse {
  const cache = "public, max-age=31536000, immutable";
  if (!/\bgzip\b/.test(String(req.raw?.headers?.["accept-encoding"] ?? ""))) return asset(body, type, cache);
  return { status: 200, body: gzip, headers: { "content-type": type, "content-encoding": "gzip", vary: "accept-encoding", "cache-control": cache, ...SECURITY_HEADERS } };
}

export function registerConsoleRoutes(admin: AdminRoutes): void {
  admin.add("GET", "console/{file+}", async (req, params) => {
    // /_hyperlocal/console → /_hyperlocal/console/ (the router matches both; only the path tells).
    if (req.path === "console") return { status: 302, body: "", headers: { location: CONSOLE_PATH } };
    let bundle: ConsoleBundle;
    try {
      bundle = await buildConsole();
    } catch (e) {
      return adminError(503, `the console could not be built: ${(e as Error).message}`);
    }
    const file = params.file;
    if (file === "" || file === "index.html") return asset(consoleHtml(bundle), "text/html; charset=utf-8", "no-cache");
    // Content-addressed: an old hash is a page from before a rebuild, which asks for a fresh load.
    if (file === `app.${bundle.hash}.js`) return compressible(req, bundle.js, bundle.jsGzip, "text/javascript; charset=utf-8");
    if (file === `app.${bundle.hash}.css`) return compressible(req, bundle.css, bundle.cssGzip, "text/css; charset=utf-8");
    return { status: 404, body: `no console file ${file}`, headers: { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS } };
  });
}

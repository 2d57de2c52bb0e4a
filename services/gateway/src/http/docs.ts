import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hono } from 'hono';
import type { Env } from 'hono/types';

const assetsDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const assets = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
]);

const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Countersign API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body></html>`;

const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', persistAuthorization: true });`;

/**
 * What the docs page may load: its own scripts and styles only (no inline script: the
 * init is a file of its own), the icons swagger-ui inlines as data: URLs, and fetches to
 * this gateway (the OpenAPI document and "Try it out"). Swagger UI sets inline styles.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Interactive docs served entirely from the gateway (no CDN), so they work offline. */
export function mountDocs<E extends Env>(app: Hono<E>): void {
  app.get('/docs', (c) => c.html(page, 200, { 'content-security-policy': DOCS_CSP }));
  app.get('/docs/assets/init.js', (c) =>
    c.body(init, 200, { 'content-type': 'text/javascript; charset=utf-8' }),
  );
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = assets.get(file);
    if (!type) return c.notFound();
    const body = await readFile(join(assetsDir, file));
    return c.body(body, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildK6Script, K6_SCRIPTS, k6Output } from '../../scripts/k6-build.js';

describe.each(K6_SCRIPTS)('deploy/k6/%s.js', (script) => {
  it('is exactly what esbuild makes of the TypeScript (run `npm run k6:build` after a change)', async () => {
    const committed = readFileSync(k6Output(script), 'utf8');
    expect(committed, `deploy/k6/${script}.js is stale`).toBe(await buildK6Script(script));
  });

  it('imports nothing but k6 modules, so k6 can run it without a bundler', async () => {
    const imports = [
      ...(await buildK6Script(script)).matchAll(/^import .* from "([^"]+)";$/gm),
    ].map((match) => match[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const source of imports) expect(source).toMatch(/^k6(\/|$)/);
  });

  it('uses no syntax newer than ES2015 that old k6 runtimes reject', async () => {
    const code = await buildK6Script(script);
    // Optional chaining, nullish coalescing, async functions and object spread helpers.
    expect(code).not.toMatch(/\?\.[a-zA-Z_[(]|\?\?|\basync\b|\bawait\b|__spread|__async/);
  });
});

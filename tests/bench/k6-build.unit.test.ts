import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildK6Script, K6_OUTPUT } from '../../scripts/k6-build.js';

describe('deploy/k6/mixed.js', () => {
  it('is exactly what esbuild makes of mixed.ts (run `npm run k6:build` after a change)', async () => {
    const committed = readFileSync(K6_OUTPUT, 'utf8');
    expect(committed, 'deploy/k6/mixed.js is stale').toBe(await buildK6Script());
  });

  it('imports nothing but k6 modules, so k6 can run it without a bundler', async () => {
    const imports = [...(await buildK6Script()).matchAll(/^import .* from "([^"]+)";$/gm)].map(
      (match) => match[1],
    );
    expect(imports.length).toBeGreaterThan(0);
    for (const source of imports) expect(source).toMatch(/^k6(\/|$)/);
  });
});

/**
 * Builds the JavaScript k6 runs from the TypeScript sources in deploy/k6 (`npm run k6:build`):
 * mixed.ts → mixed.js and countersign.ts → countersign.js, each bundled with the shared
 * modules it imports (scenarios.ts, journey.ts), so k6 releases that do not run TypeScript
 * themselves can run them. The output is committed; a unit test
 * (tests/bench/k6-build.unit.test.ts) fails when it no longer matches the source.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const K6_DIR = join(import.meta.dirname, '..', 'deploy', 'k6');
/** The scripts k6 runs, by name: deploy/k6/<name>.ts is built to deploy/k6/<name>.js. */
export const K6_SCRIPTS = ['mixed', 'countersign'] as const;
export type K6Script = (typeof K6_SCRIPTS)[number];

export function k6Output(script: K6Script): string {
  return join(K6_DIR, `${script}.js`);
}

/** The JavaScript k6 runs: one ES module, k6's own modules left as imports. */
export async function buildK6Script(script: K6Script): Promise<string> {
  const result = await build({
    entryPoints: [join(K6_DIR, `${script}.ts`)],
    bundle: true,
    format: 'esm',
    // ES2015 (classes, let/const, arrow functions, template strings; no optional chaining,
    // object spread or async) is what every k6 release's JavaScript runtime parses.
    target: 'es2015',
    platform: 'neutral',
    external: ['k6', 'k6/*'],
    banner: {
      js: `// Generated from deploy/k6/${script}.ts by \`npm run k6:build\`: edit the .ts files, then rebuild.`,
    },
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no output');
  return file.text;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const script of K6_SCRIPTS) {
    await writeFile(k6Output(script), await buildK6Script(script));
    console.log(`wrote ${k6Output(script)}`);
  }
}

/**
 * Builds deploy/k6/mixed.js from deploy/k6/mixed.ts (`npm run k6:build`), so k6 releases that
 * do not run TypeScript themselves can run the script. The output is committed; a unit test
 * (tests/bench/k6-build.unit.test.ts) fails when it no longer matches the source.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const K6_DIR = join(import.meta.dirname, '..', 'deploy', 'k6');
export const K6_SOURCE = join(K6_DIR, 'mixed.ts');
export const K6_OUTPUT = join(K6_DIR, 'mixed.js');

const BANNER =
  '// Generated from deploy/k6/mixed.ts by `npm run k6:build`: edit the .ts file, then rebuild.';

/** The JavaScript k6 runs: one ES module, k6's own modules left as imports. */
export async function buildK6Script(): Promise<string> {
  const result = await build({
    entryPoints: [K6_SOURCE],
    bundle: true,
    format: 'esm',
    // ES2017 keeps older k6 releases (goja without optional chaining) able to parse it.
    target: 'es2017',
    platform: 'neutral',
    external: ['k6', 'k6/*'],
    banner: { js: BANNER },
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no output');
  return file.text;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await writeFile(K6_OUTPUT, await buildK6Script());
  console.log(`wrote ${K6_OUTPUT}`);
}

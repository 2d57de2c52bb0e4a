import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const repoRoot = join(import.meta.dirname, '..', '..');

/** Runs `npm run -s <script>` at the repository root, as an operator would. */
export async function runNpmScript(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<string> {
  const { stdout } = await promisify(execFile)('npm', ['run', '-s', script, '--', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
  });
  return stdout;
}

// Makes `npm start`, `npm test` and `npm run bench` work as the first command on a fresh
// clone: installs dependencies when they are missing, then builds (turbo caches this).
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (command) =>
  execSync(command, { stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });

if (!existsSync('node_modules/.package-lock.json')) {
  console.log('Installing dependencies…');
  try {
    run('npm ci --no-audit --no-fund');
  } catch {
    // The registry here lacks some optional binaries the lockfile names; install resolves without them.
    run('npm install --no-audit --no-fund');
  }
}
run('npx turbo run build --output-logs=errors-only');

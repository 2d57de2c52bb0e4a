/**
 * `npm run bench:scenario -- <light|medium|heavy|spike|soak|stress>`: one of the k6 scenarios
 * of deploy/k6, driven from Node (see scenario-run.ts).
 */
import { BenchAbort } from './config.js';
import { scenarioCommand } from './scenario-run.js';

scenarioCommand(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof BenchAbort ? `bench: ${error.message}` : error);
    process.exitCode = 1;
  },
);

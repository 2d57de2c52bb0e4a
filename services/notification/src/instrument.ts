// Preloaded with `node --import`: tracing must hook http and pg before they are imported.
import { register } from 'node:module';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
const { startProcessTelemetry } = await import('@countersign/platform/telemetry');
startProcessTelemetry('notification');

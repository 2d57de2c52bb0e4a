import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';

/** Share of new traces recorded when spans are exported and nothing else is configured. */
export const DEFAULT_TRACE_RATIO = 0.1;

type SamplerEnv = Record<string, string | undefined>;

/**
 * The sampler a service runs with. The standard `OTEL_TRACES_SAMPLER` and
 * `OTEL_TRACES_SAMPLER_ARG` decide when set (`OTEL_TRACES_SAMPLER_ARG` alone means
 * `parentbased_traceidratio` with that ratio). Otherwise a service that exports spans
 * records DEFAULT_TRACE_RATIO of new traces, and one that exports nowhere records none:
 * its spans would only be dropped. Parent-based throughout, so a request the caller
 * sampled is recorded in every service it reaches, and an unsampled one in none.
 */
export function samplerFromEnv(env: SamplerEnv, exporting: boolean): Sampler {
  const name = env.OTEL_TRACES_SAMPLER?.trim();
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  if (name) return namedSampler(name, arg);
  if (arg) return parentBased(new TraceIdRatioBasedSampler(parseRatio(arg)));
  return parentBased(
    exporting ? new TraceIdRatioBasedSampler(DEFAULT_TRACE_RATIO) : new AlwaysOffSampler(),
  );
}

/** The samplers of the OpenTelemetry environment specification that need no remote service. */
function namedSampler(name: string, arg: string | undefined): Sampler {
  // The specification's default argument for the ratio samplers is 1.0.
  const ratio = () => new TraceIdRatioBasedSampler(arg ? parseRatio(arg) : 1);
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_on':
      return parentBased(new AlwaysOnSampler());
    case 'parentbased_always_off':
      return parentBased(new AlwaysOffSampler());
    case 'parentbased_traceidratio':
      return parentBased(ratio());
    default:
      throw new Error(
        `OTEL_TRACES_SAMPLER must be one of always_on, always_off, traceidratio, ` +
          `parentbased_always_on, parentbased_always_off, parentbased_traceidratio; got "${name}"`,
      );
  }
}

function parentBased(root: Sampler): Sampler {
  return new ParentBasedSampler({ root });
}

function parseRatio(raw: string): number {
  const ratio = Number(raw);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1, got "${raw}"`);
  }
  return ratio;
}

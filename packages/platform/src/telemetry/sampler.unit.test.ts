import {
  type Context,
  propagation,
  ROOT_CONTEXT,
  type Sampler,
  SpanKind,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SamplingDecision,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { beforeEach, describe, expect, it } from 'vitest';
import { contextFromTraceparent, inMessagingSpan, traceHeaders } from './propagation.js';
import { samplerFromEnv } from './sampler.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const sampledParent = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const unsampledParent = `00-${TRACE_ID}-00f067aa0ba902b7-00`;

/** Whether `sampler` records a span under `parent` (ROOT_CONTEXT: a new trace). */
function records(sampler: Sampler, parent: Context, traceId = TRACE_ID): boolean {
  const { decision } = sampler.shouldSample(parent, traceId, 'span', SpanKind.SERVER, {}, []);
  return decision === SamplingDecision.RECORD_AND_SAMPLED;
}

// One provider per process: its sampler is swapped per test through this indirection.
let activeSampler: Sampler = samplerFromEnv({}, true);
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({
    sampler: {
      shouldSample: (...args) => activeSampler.shouldSample(...args),
      toString: () => 'test sampler',
    },
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  }),
);
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

beforeEach(() => exporter.reset());

describe('samplerFromEnv', () => {
  it('follows the caller: a sampled parent is recorded and an unsampled one is not', () => {
    for (const sampler of [
      samplerFromEnv({}, true),
      samplerFromEnv({}, false),
      samplerFromEnv({ OTEL_TRACES_SAMPLER_ARG: '0' }, true),
      samplerFromEnv({ OTEL_TRACES_SAMPLER_ARG: '1' }, true),
    ]) {
      expect(records(sampler, contextFromTraceparent(sampledParent))).toBe(true);
      expect(records(sampler, contextFromTraceparent(unsampledParent))).toBe(false);
    }
  });

  it('records about the default share (10%) of new traces when exporting, none when not', () => {
    const traceIds = Array.from({ length: 2000 }, (_, i) =>
      (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(32, '0').slice(-32),
    );
    const share = (sampler: Sampler) =>
      traceIds.filter((id) => records(sampler, ROOT_CONTEXT, id)).length / traceIds.length;
    expect(share(samplerFromEnv({}, true))).toBeGreaterThan(0.05);
    expect(share(samplerFromEnv({}, true))).toBeLessThan(0.15);
    expect(share(samplerFromEnv({}, false))).toBe(0);
    expect(share(samplerFromEnv({ OTEL_TRACES_SAMPLER_ARG: '1' }, false))).toBe(1);
    expect(share(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }, true))).toBe(1);
    expect(share(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }, true))).toBe(0);
  });

  it('honours the standard sampler names, and refuses unknown names and bad ratios', () => {
    expect(records(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_on' }, false), ROOT_CONTEXT)).toBe(
      true,
    );
    // Not parent-based: decides alone, whatever the caller said.
    expect(
      records(
        samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio' }, true),
        contextFromTraceparent(unsampledParent),
      ),
    ).toBe(true);
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' }, true)).toThrow(
      /OTEL_TRACES_SAMPLER must be one of/,
    );
    for (const bad of ['1.5', '-0.1', 'half']) {
      expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER_ARG: bad }, true)).toThrow(
        /ratio from 0 to 1/,
      );
    }
  });
});

describe('inMessagingSpan under the sampler', () => {
  it('records a sampled message, with its messaging attributes', async () => {
    activeSampler = samplerFromEnv({ OTEL_TRACES_SAMPLER_ARG: '0' }, true);
    await inMessagingSpan('send', 'expense.submitted', contextFromTraceparent(sampledParent), () =>
      Promise.resolve(),
    );
    const [span, ...others] = exporter.getFinishedSpans();
    expect(others).toEqual([]);
    expect(span?.name).toBe('send expense.submitted');
    expect(span?.spanContext().traceId).toBe(TRACE_ID);
    expect(span?.attributes['messaging.destination.name']).toBe('expense.submitted');
  });

  it('creates no span for an unsampled message, yet passes its trace on unsampled', async () => {
    activeSampler = samplerFromEnv({ OTEL_TRACES_SAMPLER_ARG: '1' }, true);
    const passedOn = await inMessagingSpan(
      'process',
      'expense.submitted',
      contextFromTraceparent(unsampledParent),
      async (span) => {
        expect(span.isRecording()).toBe(false);
        return traceHeaders(trace.setSpan(ROOT_CONTEXT, span)).traceparent;
      },
    );
    // The trace id flows on, and the flag still says "not sampled" to the next service.
    expect(passedOn).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('creates no span for a new trace the ratio declines, even when the work fails', async () => {
    activeSampler = samplerFromEnv({ OTEL_TRACES_SAMPLER_ARG: '0' }, true);
    await expect(
      inMessagingSpan('process', 'expense.submitted', ROOT_CONTEXT, () =>
        Promise.reject(new Error('handler failed')),
      ),
    ).rejects.toThrow('handler failed');
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});

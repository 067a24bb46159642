import { context, propagation, trace } from '@opentelemetry/api';
import type { Logger } from '../logger';

/**
 * Optional OpenTelemetry traces. The code makes its spans through `@opentelemetry/api` (`aisle.answer`,
 * `aisle.search`, `aisle.model.call`), which does nothing until a tracer provider is registered. This
 * module registers one that sends spans to an OTLP/HTTP collector (JSON encoding), and is the only
 * place that loads the SDK: with a dynamic import, so a server without tracing never loads it.
 */

/** Running tracing: `shutdown` sends the spans still buffered and unregisters the provider. */
export interface Tracing {
  shutdown(): Promise<void>;
}

/** The traces URL for an OTLP base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT defines it (base + /v1/traces). */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Registers a tracer provider that batches spans to `${endpoint}/v1/traces`. The provider is global to
 * the process (that is how the API finds it); only one app per process should trace.
 */
export async function startTracing(options: { endpoint: string; serviceName?: string; logger: Logger }): Promise<Tracing> {
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const url = tracesUrl(options.endpoint);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'aisle' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  provider.register();
  options.logger.info({ url }, 'sending traces to an OTLP collector');
  return {
    async shutdown() {
      try {
        await provider.shutdown();
      } catch (err) {
        options.logger.warn({ err, url }, 'could not send the last traces');
      } finally {
        // Lets a later app in the same process register its own provider.
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
}

import { tracingSettings } from './tracing-env';

describe('tracingSettings', () => {
  it('is off (null) without an OTLP endpoint, whatever else is set', () => {
    expect(tracingSettings('chat', {})).toBeNull();
    expect(tracingSettings('chat', { OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeNull();
  });

  it('exports with the default service name and OTLP protobuf unless the standard variables say otherwise', () => {
    expect(tracingSettings('agent', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual({ serviceName: 'agent', protocol: 'http/protobuf' });
    expect(
      tracingSettings('agent', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'agent-eu' }),
    ).toEqual({ serviceName: 'agent-eu', protocol: 'http/json' });
    expect(
      tracingSettings('relay', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }),
    ).toEqual({ serviceName: 'relay', protocol: 'http/protobuf' });
  });

  it('names every bad variable: a non-URL endpoint, a protocol other than OTLP over HTTP', () => {
    expect(() => tracingSettings('chat', { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /invalid OpenTelemetry configuration:[\s\S]*OTEL_EXPORTER_OTLP_ENDPOINT[\s\S]*OTEL_EXPORTER_OTLP_PROTOCOL[\s\S]*"grpc"/,
    );
  });
});

import { sumOfMetric } from './prometheus-text';

describe('sumOfMetric', () => {
  const text = [
    '# HELP gc_agent_transient_retries_total retries',
    '# TYPE gc_agent_transient_retries_total counter',
    'gc_agent_transient_retries_total{relay="http://127.0.0.1:4000",app="agent"} 7',
    'gc_agent_transient_retries_total{relay="none",app="agent"} 2',
    'gc_agent_transient_retries_total_other 100',
    'plain_metric 3',
  ].join('\n');

  it('sums every labelled sample of the metric, and nothing else', () => {
    expect(sumOfMetric(text, 'gc_agent_transient_retries_total')).toBe(9);
    expect(sumOfMetric(text, 'plain_metric')).toBe(3);
    expect(sumOfMetric(text, 'absent')).toBe(0);
  });
});

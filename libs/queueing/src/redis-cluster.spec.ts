import { parseClusterNodes } from './redis-cluster';

describe('parseClusterNodes', () => {
  it('reads comma-separated host:port seeds', () => {
    expect(parseClusterNodes('127.0.0.1:7000, redis-a.internal:7001,[::1]:7002')).toEqual([
      { host: '127.0.0.1', port: 7000 },
      { host: 'redis-a.internal', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(parseClusterNodes('')).toEqual([]);
  });
  it('names a malformed entry', () => {
    for (const bad of ['127.0.0.1', ':7000', 'host:', 'host:0', 'host:65536', 'host:70a', 'redis://h:1', 'h_x:1', 'a b:1']) {
      expect(() => parseClusterNodes(`127.0.0.1:7000,${bad}`)).toThrow(`"${bad}" is not host:port`);
    }
    expect(() => parseClusterNodes(Array.from({ length: 65 }, (_, i) => `h:${i + 1}`).join(','))).toThrow(/at most 64/);
  });
});

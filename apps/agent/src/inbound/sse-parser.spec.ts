import { SseParser } from './sse-parser';

describe('SseParser', () => {
  it('yields named events split across chunks and skips ping comments', () => {
    const parser = new SseParser();
    expect(parser.feed('event: session\ndata: {"sessionId"')).toEqual([]);
    expect(parser.feed(':"s1"}\n\n: ping\n\nevent: message\r\ndata: {"a":1}\r\n\r\n')).toEqual([
      { event: 'session', data: '{"sessionId":"s1"}' },
      { event: 'message', data: '{"a":1}' },
    ]);
  });
});

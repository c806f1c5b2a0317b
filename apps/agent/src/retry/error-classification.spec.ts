import { ContractViolation } from '@gc/contracts';
import { RelayHttpError } from '../relay/relay-http-error';
import { RelayUnreachable } from '../relay/relay-unreachable';
import { CommandRefusal } from './command-refusal';
import { classifyError } from './error-classification';

function fetchFailure(code: string): Error {
  const cause = Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
  return Object.assign(new TypeError('fetch failed'), { cause });
}

describe('classifyError', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET'])('treats a fetch failure with %s as transient', (code) => {
    expect(classifyError(fetchFailure(code)).kind).toBe('transient');
  });

  it('treats a relay that gave no answer as transient', () => {
    expect(classifyError(new RelayUnreachable('http://r', 'send', fetchFailure('ECONNREFUSED')))).toMatchObject({
      kind: 'transient',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('treats socket hang up and request timeouts as transient', () => {
    expect(classifyError(new Error('socket hang up')).kind).toBe('transient');
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyError(timeout).kind).toBe('transient');
  });

  it('treats relay 5xx (and 408/429) as transient and other 4xx as permanent RELAY_REFUSED', () => {
    expect(classifyError(new RelayHttpError('r', 503, 'send', 'x')).kind).toBe('transient');
    expect(classifyError(new RelayHttpError('r', 500, 'send', 'x')).kind).toBe('transient');
    expect(classifyError(new RelayHttpError('r', 429, 'send', 'x')).kind).toBe('transient');
    expect(classifyError(new RelayHttpError('r', 404, 'send', 'gone'))).toEqual({
      relay: 'r',
      kind: 'permanent',
      code: 'RELAY_REFUSED',
      message: expect.stringContaining('404'),
    });
    expect(classifyError(new RelayHttpError('r', 401, 'send', 'unsigned'))).toMatchObject({ kind: 'permanent' });
    expect(classifyError(new RelayHttpError('r', 409, 'send', '{"error":"key_changed"}')).kind).toBe('transient');
    expect(classifyError(new RelayHttpError('r', 409, 'secure queue', '{"error":"conflict"}')).kind).toBe('permanent');
  });

  it("never echoes a relay's answer body, only its status and an error code of our shape", () => {
    const leaky = new RelayHttpError('http://203.0.113.9', 404, 'send', '<html>internal admin page: secret=hunter2</html>');
    expect(leaky.message).toBe('relay http://203.0.113.9 answered 404 to send');
    expect(classifyError(leaky).message).not.toContain('hunter2');
    expect(new RelayHttpError('r', 429, 'send', '{"error":"queue_full","message":"anything at all"}').message).toBe('relay r answered 429 to send (queue_full)');
    expect(new RelayHttpError('r', 400, 'send', '{"error":"Not A Code <script>","message":"x"}').message).toBe('relay r answered 400 to send');
  });

  it('marks an error of no known kind (bounded by UNKNOWN_ERROR_ATTEMPTS), not a network or infrastructure one', () => {
    expect(classifyError(new Error('something nobody expected'))).toEqual({ kind: 'transient', message: 'something nobody expected', unknown: true });
    const unknownOf = (err: unknown) => 'unknown' in classifyError(err);
    expect(unknownOf(new Error('Connection is closed.'))).toBe(false);
    expect(unknownOf(new RelayHttpError('r', 503, 'send', ''))).toBe(false);
    expect(unknownOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
  });

  it('keeps the code of a refusal and maps a contract violation to VALIDATION', () => {
    expect(classifyError(new CommandRefusal('CONN_STATE', 'not connected'))).toEqual({
      kind: 'permanent',
      code: 'CONN_STATE',
      message: 'not connected',
    });
    expect(classifyError(new ContractViolation('agent command', ['userId: required']))).toMatchObject({
      kind: 'permanent',
      code: 'VALIDATION',
    });
  });
});

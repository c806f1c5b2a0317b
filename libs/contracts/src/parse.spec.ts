import { ContractViolation, parseAgentCommand, parseAgentEvent } from './parse';

describe('contract parsing', () => {
  it('accepts every well-formed command', () => {
    const base = { corrId: 'corr-0001', userId: 'u1' };
    expect(parseAgentCommand({ type: 'CREATE', ...base, connId: 'c1' }).type).toBe('CREATE');
    expect(parseAgentCommand({ type: 'JOIN', ...base, connId: 'c1', invitation: 'inv', connInfo: '{}' }).type).toBe('JOIN');
    expect(parseAgentCommand({ type: 'SUBSCRIBE', ...base, connIds: ['c1', 'c2'] }).type).toBe('SUBSCRIBE');
  });

  it('names each missing or mistyped field of a command', () => {
    expect(() => parseAgentCommand({ type: 'JOIN', corrId: 'corr-0001', userId: 7, connId: 'c1' })).toThrow(
      /userId.*\binvitation\b.*connInfo|userId/,
    );
    try {
      parseAgentCommand({ type: 'JOIN', corrId: 'corr-0001', userId: 7, connId: 'c1' });
    } catch (err) {
      expect(err).toBeInstanceOf(ContractViolation);
      const paths = (err as ContractViolation).issues.map((i) => i.split(':')[0]);
      expect(paths).toEqual(expect.arrayContaining(['userId', 'invitation', 'connInfo']));
    }
  });

  it('refuses an unknown command type and ids BullMQ cannot use as job ids', () => {
    expect(() => parseAgentCommand({ type: 'REBOOT', corrId: 'corr-0001', userId: 'u1' })).toThrow(ContractViolation);
    expect(() => parseAgentCommand({ type: 'CREATE', corrId: 'corr:0001', userId: 'u1', connId: 'c1' })).toThrow(/corrId/);
  });

  it('refuses fields a command does not have', () => {
    expect(() => parseAgentCommand({ type: 'CREATE', corrId: 'corr-0001', userId: 'u1', connId: 'c1', extra: 1 })).toThrow(
      ContractViolation,
    );
  });

  it('requires ERR to be permanent and carry a known code', () => {
    const err = { type: 'ERR', eventId: 'evt-000001', userId: 'u1', corrId: 'corr-0001' };
    expect(parseAgentEvent({ ...err, error: { code: 'RELAY_REFUSED', message: 'gone', permanent: true } }).type).toBe('ERR');
    expect(() => parseAgentEvent({ ...err, error: { code: 'RELAY_REFUSED', message: 'x', permanent: false } })).toThrow(/permanent/);
    expect(() => parseAgentEvent({ ...err, error: { code: 'NOPE', message: 'x', permanent: true } })).toThrow(/code/);
  });
});

import { LogFormatSchema, resolveLogFormat } from './log-format';

describe('resolveLogFormat', () => {
  it('is pretty on a terminal outside production, JSON in a pipe or in production', () => {
    expect(resolveLogFormat(undefined, { isTTY: true, nodeEnv: 'development' })).toBe('pretty');
    expect(resolveLogFormat(undefined, { isTTY: true })).toBe('pretty');
    expect(resolveLogFormat(undefined, { isTTY: false })).toBe('json');
    expect(resolveLogFormat(undefined, { isTTY: true, nodeEnv: 'production' })).toBe('json');
  });

  it('does what LOG_FORMAT says, wherever it writes', () => {
    expect(resolveLogFormat('json', { isTTY: true })).toBe('json');
    expect(resolveLogFormat('pretty', { isTTY: false, nodeEnv: 'production' })).toBe('pretty');
  });

  it('accepts only pretty or json (or nothing) as LOG_FORMAT', () => {
    expect(LogFormatSchema.safeParse('pretty').success).toBe(true);
    expect(LogFormatSchema.safeParse(undefined).success).toBe(true);
    expect(LogFormatSchema.safeParse('yaml').success).toBe(false);
  });
});

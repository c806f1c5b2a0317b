import { forgetProcessWarnings, processWarnings, spawnCaptured } from './service-process';

describe('process warnings in the output of started processes', () => {
  afterEach(() => forgetProcessWarnings());

  it.each([
    ['MaxListenersExceededWarning', "process.emitWarning('11 abort listeners added to [AbortSignal]', 'MaxListenersExceededWarning')"],
    ['DeprecationWarning', "process.emitWarning('old API', { type: 'DeprecationWarning', code: 'DEP0999' })"],
    ['Warning', "process.emitWarning('plain')"],
  ])('notes a %s a process prints to stderr, naming the process', async (type, script) => {
    const p = spawnCaptured('process-warnings-spec', process.execPath, ['-e', script], { PATH: process.env.PATH ?? '' });
    const stderrRead = new Promise((r) => p.child.stderr!.once('close', r));
    expect(await p.exited).toBe(0);
    await stderrRead;

    expect(processWarnings()).toEqual([expect.objectContaining({ label: 'process-warnings-spec', line: expect.stringMatching(new RegExp(`^\\(node:\\d+\\) (\\[DEP0999\\] )?${type}: `)) })]);
  });

  it('notes nothing for ordinary stderr lines that mention warnings', async () => {
    const p = spawnCaptured('process-warnings-spec', process.execPath, ['-e', "console.error('{\"level\":40,\"msg\":\"Warning: relay slow\"}')"], {
      PATH: process.env.PATH ?? '',
    });
    const stderrRead = new Promise((r) => p.child.stderr!.once('close', r));
    await p.exited;
    await stderrRead;

    expect(processWarnings()).toEqual([]);
  });
});

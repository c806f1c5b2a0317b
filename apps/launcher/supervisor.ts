import { ChildService } from './child-service';

export type Announce = (line: string) => void;

/**
 * Owns the children's lifetime: stops them in order on request, and turns any unexpected exit
 * into a full stop, so `npm start` never leaves half a system running or orphans behind.
 */
export class Supervisor {
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly children: ChildService[],
    private readonly shutdownTimeoutMs: number,
    private readonly announce: Announce,
  ) {}

  get isStopping(): boolean {
    return this.stopping !== null;
  }

  /** Resolves with the first child that exits while we are not stopping. */
  firstUnexpectedExit(): Promise<{ child: ChildService; code: number | string }> {
    return new Promise((resolve) => {
      for (const child of this.children) {
        void child.exited.then((code) => {
          if (!this.isStopping) resolve({ child, code });
        });
      }
    });
  }

  /**
   * SIGTERM to the agent and chat first (their in-flight jobs finish or go back to the queue while
   * the relays still answer), then to the relays. Each child gets SIGKILL if it is still there
   * `shutdownTimeoutMs` after its SIGTERM.
   */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      const apps = this.children.filter((c) => c.spec.app !== 'relay');
      const relays = this.children.filter((c) => c.spec.app === 'relay');
      await Promise.all(apps.map((c) => this.stopOne(c)));
      await Promise.all(relays.map((c) => this.stopOne(c)));
    })();
    return this.stopping;
  }

  /** A second Ctrl-C: the person does not want to wait. */
  killAll(): void {
    for (const child of this.children) {
      if (child.isRunning()) child.process.kill('SIGKILL');
    }
  }

  private async stopOne(child: ChildService): Promise<void> {
    if (!child.isRunning()) return;
    child.process.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!child.isRunning()) return;
      this.announce(`${child.spec.name} did not stop within ${this.shutdownTimeoutMs} ms: SIGKILL`);
      child.process.kill('SIGKILL');
    }, this.shutdownTimeoutMs);
    const code = await child.exited;
    clearTimeout(timer);
    this.announce(`${child.spec.name} stopped (${code})`);
  }
}

/**
 * Ctrl-C (and SIGTERM): the first asks the scenario to stop and clean up; a second exits at once.
 * Both exit with 130, as shells expect of an interrupted command.
 */
export class Interruption {
  static readonly EXIT_CODE = 130;
  private readonly controller = new AbortController();
  /** Said when the first signal arrives. */
  onInterrupt: () => void = () => undefined;
  /** The line printed when a second signal gives up on the clean-up. */
  forcedExitMessage: () => string = () => 'interrupted again: exiting at once';
  private readonly handler = () => {
    if (this.controller.signal.aborted) {
      this.report(this.forcedExitMessage());
      process.exit(Interruption.EXIT_CODE);
    }
    this.controller.abort();
    this.onInterrupt();
  };

  constructor(private readonly report: (message: string) => void) {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}

/**
 * A background pass that runs again `intervalMs` after the previous one ended, never two at once, until it is
 * stopped. A pass that throws is logged, and the next one still comes on time.
 */
import type { Logger } from 'pino';

export class PeriodicPass {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly pass: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(firstDelayMs = 0): void {
    this.schedule(firstDelayMs);
  }

  /** Starts no further pass, and resolves once the one under way (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .catch((error: unknown) => this.logger.error({ err: error }, `${this.name} pass failed`))
        .finally(() => this.schedule(this.intervalMs));
    }, delayMs);
  }
}

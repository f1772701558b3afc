/**
 * Progress on stderr while the tenant is read: at once on a terminal (one line, rewritten), else
 * only once reading has taken longer than a moment, so quick runs and CI logs stay quiet.
 */
export interface ProgressOptions {
  readonly stream?: NodeJS.WriteStream;
  /** How long a non-terminal run stays quiet. @default 1000 */
  readonly quietMs?: number;
}

export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;
  private stage = "";
  private calls = 0;
  private visible: boolean;
  private printed = false;
  private lastDraw = 0;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
    this.visible = this.tty;
    this.timer = setTimeout(() => {
      this.visible = true;
      this.draw();
    }, options.quietMs ?? 1000);
    this.timer.unref();
  }

  /** A new stage of the work, e.g. `stack alpha: reading objects`. */
  update(stage: string): void {
    this.stage = stage;
    this.draw();
  }

  /** One admin call made. */
  request(): void {
    this.calls++;
    // On a terminal the count ticks; a log gets a line per stage only.
    if (this.tty && Date.now() - this.lastDraw > 100) this.draw();
  }

  get callCount(): number {
    return this.calls;
  }

  private line(): string {
    return `[plan] ${this.stage} (${this.calls} admin call${this.calls === 1 ? "" : "s"}, ${((Date.now() - this.started) / 1000).toFixed(1)} s)`;
  }

  private draw(): void {
    if (!this.visible || !this.stage) return;
    this.lastDraw = Date.now();
    this.printed = true;
    this.stream.write(this.tty ? `\r\u001b[K${this.line()}` : `${this.line()}\n`);
  }

  /** Clears the terminal line, or ends a log with the totals (not after a failure: its error says it). */
  done(failed = false): void {
    clearTimeout(this.timer);
    if (!this.printed) return;
    if (this.tty) this.stream.write("\r\u001b[K");
    else if (!failed) this.stream.write(`[plan] read the tenant in ${this.calls} admin calls, ${((Date.now() - this.started) / 1000).toFixed(1)} s\n`);
  }
}

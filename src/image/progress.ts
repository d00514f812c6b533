/** What the build reports while it works: a step, or a line of engine output. The CLI shows it (or not). */
export interface Progress {
  step(message: string): void;
  /** A line of engine output. */
  engine(line: string): void;
}

export const silentProgress: Progress = { step() {}, engine() {} };

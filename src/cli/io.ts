/** Where commands write. Tests hand in a recorder; `main.ts` hands in the process streams. */
export type CliIO = {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal: colours and progress bars only then. */
  readonly interactive: boolean;
};

export function processIO(): CliIO {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    interactive: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  };
}

/** Collects output in memory, for tests. */
export function memoryIO(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => void stdout.push(text),
    err: (text) => void stderr.push(text),
    interactive: false,
  };
}

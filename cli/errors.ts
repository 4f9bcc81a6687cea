// Errors the CLI reports as a plain message (no stack) with a chosen exit code.

/** Something the operator can fix: wrong state, missing user, data folder in use. Exit 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Wrong command line: unknown command or flag, bad value. Exit 2. */
export class UsageError extends CliError {
  constructor(
    message: string,
    /** The command whose --help to point at ("" for the top level). */
    readonly command?: string,
  ) {
    super(message, 2);
    this.name = "UsageError";
  }
}

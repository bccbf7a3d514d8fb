/**
 * An error the user can fix (bad profile, bad input file, bad flag, a full disk): the CLI prints its message as one
 * line and exits 2. Anything that is not a UserError is a bug and keeps its stack. The message must name the file,
 * line or field and say how to fix it.
 */
export class UserError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The text the CLI prints for an error: the message alone for a UserError, else the stack. */
export function cliErrorText(err: unknown): string {
  if (err instanceof UserError) return err.message;
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

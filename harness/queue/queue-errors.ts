/** A mistake in what the user typed (a flag, a URL): shown as one line, exit 2, no stack. */
export class UserInputError extends Error {
  override name = 'UserInputError';
}

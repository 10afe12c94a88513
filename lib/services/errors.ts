/**
 * A refusal the user should read. `code` is a key under "errors" in the message catalogues
 * (lib/i18n/messages/*.json); `values` fill its placeholders. `detail` carries text that is
 * already meant for people (e.g. Ping++'s own message, often Chinese) and is shown as is.
 */
export class AppError extends Error {
  constructor(
    public readonly code: string,
    public readonly values: Record<string, string | number> = {},
    public readonly detail?: string,
    public readonly field?: string,
  ) {
    super(detail ?? code);
    this.name = "AppError";
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

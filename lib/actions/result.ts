export type ActionResult<T> =
  | { ok: true; data: T }
  /** `code`: the AppError code when there is one, so a form can tell "retry with the same key" from "fix the input". */
  | { ok: false; error: string; code?: string; fieldErrors?: Record<string, string> };

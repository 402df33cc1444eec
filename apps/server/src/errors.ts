import { errorMessage, errorStatus, fieldList, type ErrorCode, type Locale } from '@yishi/model';

/** An error meant for the client: a code from the contract and optional message parameters. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: Record<string, string | number> = {},
    readonly headers: Record<string, string> = {},
    /** For invalid_input: the fields at fault, named in the message in the reader's language. */
    readonly fields: string[] = [],
    /** Further machine-readable facts for the client (e.g. the bad rows of an import). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(code);
  }

  get status(): number {
    return errorStatus(this.code);
  }

  /** The `{code, message}` pair in a locale. */
  toBody(locale: Locale): { code: ErrorCode; message: string } & Record<string, unknown> {
    // invalid_input without fields names "the request" rather than leaving the list blank.
    const params = this.fields.length || this.code === 'invalid_input' ? { ...this.params, fields: fieldList(this.fields, locale) } : this.params;
    return { ...this.details, code: this.code, message: errorMessage(this.code, locale, params) };
  }
}

/**
 * A database error caused by the input itself: a NUL character (U+0000), which Postgres text cannot
 * hold (SQLSTATE 22021), in a name, a title or an id of the request. Followed through `cause`,
 * where the query builder keeps the driver's error.
 */
function isUnstorableText(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === '22021') return true;
  }
  return false;
}

/** What a failed request answers: its AppError, `invalid_input` for text the database cannot store, else `internal`. */
export function answerOf(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError(isUnstorableText(error) ? 'invalid_input' : 'internal');
}

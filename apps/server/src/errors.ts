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
    const params = this.fields.length ? { ...this.params, fields: fieldList(this.fields, locale) } : this.params;
    return { ...this.details, code: this.code, message: errorMessage(this.code, locale, params) };
  }
}

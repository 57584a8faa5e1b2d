import { HttpException, HttpStatus } from '@nestjs/common';
import type { FieldError } from '@marquee/contracts';

export const PROBLEM_TYPE_BASE = 'urn:marquee:problem:';

/** A 400 that lists every invalid field, as the API contract promises for validation errors. */
export class ValidationProblem extends HttpException {
  constructor(readonly errors: FieldError[]) {
    const fields = [...new Set(errors.map((e) => e.field))];
    super(
      {
        type: `${PROBLEM_TYPE_BASE}validation`,
        detail: `Invalid request: ${errors.map((e) => e.message).join('; ')}`,
        errors,
        fields,
      },
      HttpStatus.BAD_REQUEST,
    );
  }
}

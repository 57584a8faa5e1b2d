import type { Dialog, Page } from 'playwright-core';

/**
 * Answers the page's confirm() and prompt() dialogs as the test says they will come, in order. A
 * dialog nobody expected is dismissed and recorded in `unexpected`, so a test can fail on it.
 */
export class DialogAnswers {
  private readonly expected: { message: RegExp; answer: string | boolean }[] = [];
  readonly unexpected: string[] = [];

  constructor(page: Page) {
    page.on('dialog', (dialog) => void this.answer(dialog));
  }

  /** The next dialog's message matches `message`: accept it (with `answer` typed into a prompt), or dismiss it on `false`. */
  expect(message: RegExp, answer: string | boolean = true): void {
    this.expected.push({ message, answer });
  }

  /** Dialogs expected but not shown yet. */
  get pending(): number {
    return this.expected.length;
  }

  private async answer(dialog: Dialog): Promise<void> {
    const next = this.expected[0];
    if (!next || !next.message.test(dialog.message())) {
      this.unexpected.push(`${dialog.type()}: ${dialog.message()}`);
      await dialog.dismiss();
      return;
    }
    this.expected.shift();
    if (next.answer === false) await dialog.dismiss();
    else await dialog.accept(typeof next.answer === 'string' ? next.answer : undefined);
  }
}

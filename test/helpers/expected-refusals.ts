/**
 * Takes the problems a page reported so far (see `watchForErrors`) and asserts they are exactly these
 * refused requests (given without the origin, in order), each with Chromium's console line for it, and
 * nothing else.
 */
export function expectOnlyRefusals(problems: string[], base: string, expected: string[]): void {
  const seen = problems.splice(0);
  expect(seen.filter((p) => p.startsWith('HTTP')).map((p) => p.replace(base, ''))).toEqual(expected);
  expect(seen.filter((p) => !p.startsWith('HTTP'))).toEqual(
    expected.map(() => expect.stringMatching(/^console: Failed to load resource: /)),
  );
}

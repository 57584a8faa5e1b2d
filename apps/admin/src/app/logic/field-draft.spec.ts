import { edited, isChange, settle, shownValue, untouched, type FieldDraft } from './field-draft.js';

describe('a field the server refreshes while it is edited', () => {
  it('follows the server until edited, then keeps the edit through refreshes of other values', () => {
    let draft: FieldDraft<number | null> = untouched;
    expect(shownValue(draft, 2)).toBe(2);
    expect(isChange(draft, 2)).toBe(false);

    draft = edited(3);
    for (const server of [2, 2, 5]) {
      draft = settle(draft, server);
      expect(shownValue(draft, server)).toBe(3);
      expect(isChange(draft, server)).toBe(true);
    }
  });

  it('lets go of the edit once the server holds it, and follows the server again', () => {
    let draft: FieldDraft<number | null> = settle(edited(3), 3);
    expect(draft).toBe(untouched);
    expect(shownValue(draft, 3)).toBe(3);
    draft = settle(draft, 4);
    expect(shownValue(draft, 4)).toBe(4);
  });

  it('an edit back to the server value, or an emptied field, is shown as typed; only a different value is a change', () => {
    expect(isChange(edited(2), 2)).toBe(false);
    expect(shownValue(settle(edited<number | null>(null), 2), 2)).toBeNull();
    expect(isChange(edited<number | null>(null), 2)).toBe(true);
  });
});

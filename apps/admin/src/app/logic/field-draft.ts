/**
 * A form field showing a value the server keeps current (a queue's concurrency, refreshed as jobs move)
 * until the person edits it. Their edit then stays, whatever refreshes arrive, until the server holds
 * that same value (after their Set, or anyone's), or they discard it.
 */
export type FieldDraft<T> = { readonly edited: false } | { readonly edited: true; readonly value: T };

export const untouched: FieldDraft<never> = { edited: false };

export const edited = <T>(value: T): FieldDraft<T> => ({ edited: true, value });

/** What the field shows: the edit if there is one, else the server's value. */
export const shownValue = <T>(draft: FieldDraft<T>, server: T): T => (draft.edited ? draft.value : server);

/** On a new value from the server: an edit the server now holds is done; any other edit stays. */
export const settle = <T>(draft: FieldDraft<T>, server: T): FieldDraft<T> => (draft.edited && draft.value === server ? untouched : draft);

/** Whether submitting would change anything. */
export const isChange = <T>(draft: FieldDraft<T>, server: T): boolean => draft.edited && draft.value !== server;

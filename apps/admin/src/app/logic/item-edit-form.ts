import type { ItemDetail, UpdateItemRequest } from '@marquee/contracts';

/** The metadata editor's form: text fields as strings, lists as comma-separated text. */
export interface ItemEditForm {
  title: string;
  sortTitle: string;
  originalTitle: string;
  year: string;
  premiereDate: string;
  overview: string;
  tagline: string;
  genres: string;
  tags: string;
  studios: string;
  communityRating: string;
  criticRating: string;
  officialRating: string;
}

const TEXT_FIELDS = ['sortTitle', 'originalTitle', 'premiereDate', 'overview', 'tagline', 'officialRating'] as const;
const LIST_FIELDS = ['genres', 'tags', 'studios'] as const;
const NUMBER_FIELDS = ['year', 'communityRating', 'criticRating'] as const;

export function toForm(item: ItemDetail): ItemEditForm {
  return {
    title: item.title,
    sortTitle: item.sortTitle ?? '',
    originalTitle: item.originalTitle ?? '',
    year: item.year?.toString() ?? '',
    premiereDate: item.premiereDate?.slice(0, 10) ?? '',
    overview: item.overview ?? '',
    tagline: item.tagline ?? '',
    genres: item.genres.join(', '),
    tags: item.tags.join(', '),
    studios: item.studios.join(', '),
    communityRating: item.communityRating?.toString() ?? '',
    criticRating: item.criticRating?.toString() ?? '',
    officialRating: item.officialRating ?? '',
  };
}

const splitList = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Only the fields that changed, typed as the API wants them (empty text clears to null), plus the
 * fields to unlock. Every field sent becomes locked against rescans, so unchanged ones are left out.
 */
export function changesOf(original: ItemDetail, form: ItemEditForm, unlock: readonly string[] = []): UpdateItemRequest {
  const changes: Record<string, unknown> = {};
  if (form.title.trim() !== original.title) changes['title'] = form.title.trim();
  for (const field of TEXT_FIELDS) {
    const value = form[field].trim() || null;
    const before = field === 'premiereDate' ? (original.premiereDate?.slice(0, 10) ?? null) : original[field];
    if (value !== before) changes[field] = value;
  }
  for (const field of LIST_FIELDS) {
    const value = splitList(form[field]);
    if (!sameList(value, original[field])) changes[field] = value;
  }
  for (const field of NUMBER_FIELDS) {
    const text = form[field].trim();
    const value = text === '' ? null : Number(text);
    if (value !== original[field]) changes[field] = value;
  }
  if (unlock.length) changes['unlock'] = [...unlock];
  return changes as UpdateItemRequest;
}

/** A field-level problem the form catches before sending; null when the form is fine. */
export function formProblem(form: ItemEditForm): string | null {
  if (!form.title.trim()) return 'The title cannot be empty.';
  for (const field of NUMBER_FIELDS) {
    const text = form[field].trim();
    if (text !== '' && !Number.isFinite(Number(text))) return `${field} must be a number.`;
  }
  if (form.year.trim() && !/^\d{1,4}$/.test(form.year.trim())) return 'The year must be a whole number up to 9999.';
  if (form.premiereDate.trim() && !/^\d{4}-\d{2}-\d{2}$/.test(form.premiereDate.trim()))
    return 'The premiere date must look like 2024-01-31.';
  return null;
}

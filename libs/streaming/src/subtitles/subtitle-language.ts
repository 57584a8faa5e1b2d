const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[a-z0-9]{2,8}){0,3}$/i;
/** Codes that say "no particular language". */
const NO_LANGUAGE = new Set(['und', 'mis', 'zxx', 'qaa']);

/**
 * A language code as a canonical BCP 47 tag ("eng" → "en", "fre" → "fr", "pt-br" → "pt-BR"), or
 * null when it is missing, undetermined ("und") or not a language ICU knows.
 */
export function normalizeLanguage(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string') return null;
  const tag = raw.trim();
  if (!LANGUAGE_TAG.test(tag) || NO_LANGUAGE.has(tag.toLowerCase())) return null;
  let canonical: string;
  try {
    [canonical] = Intl.getCanonicalLocales(tag);
  } catch {
    return null;
  }
  const base = canonical.split('-')[0];
  return LANGUAGE_NAMES.of(base) ? canonical : null;
}

/** "en" → "English", "pt-BR" → "Brazilian Portuguese"; undefined for null. */
export function languageName(language: string | null): string | undefined {
  if (!language) return undefined;
  try {
    return LANGUAGE_NAMES.of(language);
  } catch {
    return undefined;
  }
}

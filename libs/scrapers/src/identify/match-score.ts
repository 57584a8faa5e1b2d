export interface MatchInput {
  title: string;
  year: number | null;
  providerIds?: Record<string, string>;
}

/** Lower case, accents and punctuation gone, a leading article dropped: "The Matrix (1999)!" → "matrix 1999". */
export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/^(?:the|a|an|le|la|les|der|die|das) /, '');
}

function bigrams(text: string): Map<string, number> {
  const grams = new Map<string, number>();
  const padded = ` ${text} `;
  for (let i = 0; i < padded.length - 1; i++) {
    const gram = padded.slice(i, i + 2);
    grams.set(gram, (grams.get(gram) ?? 0) + 1);
  }
  return grams;
}

/** Dice coefficient of the two titles' character bigrams, 0–1 (1: the same after normalisation). */
export function titleSimilarity(a: string, b: string): number {
  const left = normalizeTitle(a);
  const right = normalizeTitle(b);
  if (!left || !right) return 0;
  if (left === right) return 1;
  const x = bigrams(left);
  const y = bigrams(right);
  let shared = 0;
  let total = 0;
  for (const [gram, count] of x) {
    shared += Math.min(count, y.get(gram) ?? 0);
    total += count;
  }
  for (const count of y.values()) total += count;
  return (2 * shared) / total;
}

/**
 * How well a candidate matches the item, 0–1: a shared provider id (same IMDb id…) is a certain
 * match; otherwise 80 % title similarity and 20 % year (same year full, one year off half, an
 * unknown year half).
 */
export function matchScore(item: MatchInput, candidate: MatchInput): number {
  for (const [provider, id] of Object.entries(candidate.providerIds ?? {})) {
    if (item.providerIds?.[provider] && item.providerIds[provider] === id) return 1;
  }
  const title = titleSimilarity(item.title, candidate.title);
  const year =
    item.year === null || candidate.year === null
      ? 0.5
      : item.year === candidate.year
        ? 1
        : Math.abs(item.year - candidate.year) === 1
          ? 0.5
          : 0;
  return Math.round((0.8 * title + 0.2 * year) * 1000) / 1000;
}

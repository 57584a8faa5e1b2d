import type { SidecarSubtitle } from './sidecar-discovery.js';

type SidecarKind = Pick<SidecarSubtitle, 'language' | 'forced' | 'hearingImpaired' | 'title'>;

const kindOf = (sidecar: SidecarKind) =>
  JSON.stringify([sidecar.language, sidecar.forced, sidecar.hearingImpaired, sidecar.title?.toLowerCase() ?? null]);

/**
 * For a film in parts: the sidecar of a later part that continues `chosen`, a sidecar of the first
 * part — the one of the same kind (language, forced, SDH, title) at the same rank among the sidecars
 * of that kind (`Film cd1.en.srt` → `Film cd2.en.srt`). Undefined when that part has none.
 */
export function continuingSidecar<T extends SidecarKind>(chosen: T, firstPart: readonly T[], laterPart: readonly T[]): T | undefined {
  const kind = kindOf(chosen);
  const rank = firstPart.filter((sidecar) => kindOf(sidecar) === kind).indexOf(chosen);
  if (rank === -1) return undefined;
  return laterPart.filter((sidecar) => kindOf(sidecar) === kind)[rank];
}

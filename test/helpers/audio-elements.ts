import type { BrowserContext, Page } from 'playwright-core';

/** What a test reads of an audio element the page created (the tsconfig has no DOM types). */
export interface AudioElementState {
  src: string;
  currentTime: number;
  duration: number;
  volume: number;
  paused: boolean;
}

interface AudioGlobals {
  Audio: new (src?: string) => AudioElementState;
  __marqueeAudioElements?: AudioElementState[];
}

/**
 * Keeps every `new Audio()` the pages of this context create, so a test can read an audio element
 * that is never attached to the document (a player service owning its element, for instance).
 * Call before the pages load.
 */
export async function recordAudioElements(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const globals = globalThis as unknown as AudioGlobals;
    const Original = globals.Audio;
    const created: AudioElementState[] = [];
    globals.__marqueeAudioElements = created;
    const Recorded = function (src?: string) {
      const element = src === undefined ? new Original() : new Original(src);
      created.push(element);
      return element;
    } as unknown as AudioGlobals['Audio'];
    Recorded.prototype = Original.prototype;
    globals.Audio = Recorded;
  });
}

/** The state of the latest audio element the page created, or null when it created none. */
export function latestAudioElement(page: Page): Promise<AudioElementState | null> {
  return page.evaluate(() => {
    const created = (globalThis as unknown as AudioGlobals).__marqueeAudioElements ?? [];
    const element = created[created.length - 1];
    if (!element) return null;
    const { src, currentTime, duration, volume, paused } = element;
    return { src, currentTime, duration, volume, paused };
  });
}

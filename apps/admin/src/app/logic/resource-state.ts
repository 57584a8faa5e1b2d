import { signal } from '@angular/core';
import { toApiError } from './api-error.js';

/**
 * A value loaded from the API with its loading and error states, for templates:
 * `state.loading()`, `state.error()` (the problem detail), `state.value()`.
 */
export class ResourceState<T> {
  readonly loading = signal(false);
  readonly error = signal<string | null>(null);
  readonly value = signal<T | null>(null);
  private generation = 0;

  constructor(initial: T | null = null) {
    this.value.set(initial);
  }

  /** Loads; a later call wins over an earlier one still in flight. */
  async load(fetch: () => Promise<T>): Promise<T | null> {
    const generation = ++this.generation;
    this.loading.set(true);
    this.error.set(null);
    try {
      const value = await fetch();
      if (generation === this.generation) this.value.set(value);
      return value;
    } catch (error) {
      if (generation === this.generation) this.error.set(toApiError(error).message);
      return null;
    } finally {
      if (generation === this.generation) this.loading.set(false);
    }
  }
}

/** Runs an action, putting its failure's problem detail into `error`; true when it succeeded. */
export async function attempt(error: { set(value: string | null): void }, action: () => Promise<unknown>): Promise<boolean> {
  error.set(null);
  try {
    await action();
    return true;
  } catch (e) {
    error.set(toApiError(e).message);
    return false;
  }
}

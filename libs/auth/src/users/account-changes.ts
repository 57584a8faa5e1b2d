import { Injectable } from '@nestjs/common';

/**
 * Tells what remembers accounts for a moment (the check of signed stream URLs) that one changed —
 * disabled, enabled, deleted, given another role — so the change applies to its next request at once.
 */
@Injectable()
export class AccountChanges {
  private readonly listeners = new Set<(userId: string) => void>();

  subscribe(listener: (userId: string) => void): void {
    this.listeners.add(listener);
  }

  changed(userId: string): void {
    for (const listener of this.listeners) listener(userId);
  }
}

import type { UserItemDataView } from '@marquee/contracts';
import { toUserDataView } from '@marquee/library/items/item-views.js';
import type { UserItemData } from '../entities/user-item-data.entity.js';

/** A user's state of an item they never touched. */
export const EMPTY_USER_DATA: UserItemDataView = Object.freeze({
  played: false,
  playCount: 0,
  positionMs: 0,
  favorite: false,
  rating: null,
  lastPlayedAt: null,
});

/** The view of a user_item_data row (an entity or a raw row), or the untouched state when there is none. */
export function userDataView(row: Pick<UserItemData, keyof UserItemDataView> | null | undefined): UserItemDataView {
  return toUserDataView(row as UserItemData | null | undefined) ?? { ...EMPTY_USER_DATA };
}

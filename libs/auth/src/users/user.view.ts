import type { UserRole } from '@marquee/contracts';
import type { User } from '../entities/user.entity.js';

/** A user as the API shows it: never the password hash. */
export interface UserView {
  id: string;
  username: string;
  email: string | null;
  displayName: string | null;
  role: UserRole;
  disabled: boolean;
  createdAt: string;
}

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
  };
}

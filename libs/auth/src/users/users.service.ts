import { BadRequestException, ConflictException, ForbiddenException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { RegistrationState, UserRole } from '@marquee/contracts';
import { SettingsService } from '@marquee/system/settings.service.js';
import { DataSource, QueryFailedError } from 'typeorm';
import { User } from '../entities/user.entity.js';
import { PasswordHasher } from '../passwords/password-hasher.service.js';
import { passwordProblems } from '../passwords/password-policy.js';
import { SessionRevocation } from '../sessions/session-revocation.js';
import { SessionService } from '../sessions/session.service.js';
import { AccountChanges } from './account-changes.js';

export const REGISTRATION_OPEN_SETTING = 'auth.registrationOpen';

export interface NewUser {
  username: string;
  password: string;
  email?: string | null;
  displayName?: string | null;
  role?: UserRole;
}

export interface UserChanges {
  role?: UserRole;
  disabled?: boolean;
  password?: string;
  email?: string | null;
  displayName?: string | null;
}

/** Accounts: registration, admin management, password changes, sign-in checks. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly revocation: SessionRevocation,
    private readonly settings: SettingsService,
    private readonly accountChanges: AccountChanges,
  ) {}

  private get users() {
    return this.dataSource.getRepository(User);
  }

  private assertPassword(password: string, username: string, email?: string | null): void {
    const problems = passwordProblems(password, { username, email });
    if (problems.length) throw new BadRequestException(problems.join('; '));
  }

  /**
   * Creates an account. Case-insensitive uniqueness is enforced by the database's expression
   * indexes, so two concurrent registrations of "Ripley" and "ripley" cannot both succeed.
   */
  async create(input: NewUser): Promise<User> {
    this.assertPassword(input.password, input.username, input.email);
    try {
      return await this.users.save(
        this.users.create({
          username: input.username,
          email: input.email ?? null,
          displayName: input.displayName ?? null,
          role: input.role ?? 'user',
          passwordHash: await this.hasher.hash(input.password),
        }),
      );
    } catch (error) {
      if (error instanceof QueryFailedError && /UQ_users_(username|email)_lower/.test(error.message)) {
        const field = error.message.includes('email') ? 'email' : 'username';
        throw new ConflictException(`That ${field} is already taken`);
      }
      throw error;
    }
  }

  /** What `register` would do now: make the first account (an administrator), or an ordinary one if registration is open. */
  async registration(): Promise<RegistrationState> {
    const firstAccount = (await this.users.count()) === 0;
    return { firstAccount, open: firstAccount || (await this.settings.get(REGISTRATION_OPEN_SETTING, false)) };
  }

  /** Self-registration: the very first account becomes admin; later ones need registration to be open. */
  async register(input: Omit<NewUser, 'role'>): Promise<User> {
    return this.dataSource.transaction(async (manager) => {
      // One registration at a time decides who is first.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['marquee:first-user']);
      const count = await manager.getRepository(User).count();
      if (count > 0 && !(await this.settings.get(REGISTRATION_OPEN_SETTING, false))) {
        throw new ForbiddenException('Registration is closed; ask an administrator for an account');
      }
      const user = await this.create({ ...input, role: count === 0 ? 'admin' : 'user' });
      if (count === 0) this.logger.log(`first account "${user.username}" created as admin`);
      return user;
    });
  }

  /** MARQUEE_ADMIN_USER/PASSWORD: the first admin, created at start when there is no user. */
  async ensureInitialAdmin(admin: { username: string; password: string } | undefined): Promise<void> {
    if (!admin || (await this.users.count()) > 0) return;
    await this.create({ ...admin, role: 'admin' });
    this.logger.log(`initial admin "${admin.username}" created from MARQUEE_ADMIN_USER`);
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  async get(id: string): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw new NotFoundException('No such user');
    return user;
  }

  findByLogin(login: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('u')
      .where('lower(u.username) = lower(:login) OR lower(u.email) = lower(:login)', { login })
      .getOne();
  }

  /** The user when the password is right and the account enabled; same cost whether or not the user exists. */
  async verifyCredentials(login: string, password: string): Promise<User | undefined> {
    const user = await this.findByLogin(login);
    if (!user) {
      await this.hasher.verifyAgainstDummy(password);
      return undefined;
    }
    if (!(await this.hasher.verify(user.passwordHash, password))) return undefined;
    if (this.hasher.needsRehash(user.passwordHash))
      await this.users.update({ id: user.id }, { passwordHash: await this.hasher.hash(password) });
    return user;
  }

  list(limit: number, offset: number): Promise<[User[], number]> {
    return this.users.findAndCount({ order: { createdAt: 'ASC' }, take: limit, skip: offset });
  }

  async update(id: string, changes: UserChanges, actingUserId: string): Promise<User> {
    const user = await this.get(id);
    if (id === actingUserId && (changes.role === 'user' || changes.disabled === true)) {
      throw new BadRequestException('You cannot demote or disable your own account');
    }
    if (changes.password !== undefined) this.assertPassword(changes.password, user.username, changes.email ?? user.email);
    const patch: Partial<User> = {};
    if (changes.role !== undefined) patch.role = changes.role;
    if (changes.disabled !== undefined) patch.disabled = changes.disabled;
    if (changes.email !== undefined) patch.email = changes.email;
    if (changes.displayName !== undefined) patch.displayName = changes.displayName;
    if (changes.password !== undefined) patch.passwordHash = await this.hasher.hash(changes.password);
    try {
      await this.users.update({ id }, patch);
    } catch (error) {
      if (error instanceof QueryFailedError && /UQ_users_email_lower/.test(error.message))
        throw new ConflictException('That email is already taken');
      throw error;
    }
    this.accountChanges.changed(id);
    if (changes.disabled !== undefined) await this.revocation.userBlocked(id, changes.disabled);
    // A new role, a disabled account or a reset password ends every session at once.
    if ((changes.role !== undefined && changes.role !== user.role) || changes.disabled === true || changes.password !== undefined) {
      await this.sessions.revokeAllForUser(id, changes.disabled ? 'user-disabled' : changes.password ? 'password-reset' : 'role-changed');
    }
    return this.get(id);
  }

  async changeOwnPassword(userId: string, currentPassword: string, newPassword: string, currentSessionId?: string): Promise<void> {
    const user = await this.get(userId);
    if (!(await this.hasher.verify(user.passwordHash, currentPassword))) throw new BadRequestException('The current password is wrong');
    this.assertPassword(newPassword, user.username, user.email);
    await this.users.update({ id: userId }, { passwordHash: await this.hasher.hash(newPassword) });
    await this.sessions.revokeAllForUser(userId, 'password-changed', currentSessionId);
  }

  async remove(id: string, actingUserId: string): Promise<void> {
    if (id === actingUserId) throw new BadRequestException('You cannot delete your own account');
    await this.get(id);
    await this.sessions.revokeAllForUser(id, 'user-deleted');
    await this.users.delete({ id });
    this.accountChanges.changed(id);
  }
}

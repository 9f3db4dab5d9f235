// From verified JWT claims to a principal: the user is `sub` (provisioned when auth.jwt.auto_provision is
// on); the `role` claim counts only with auth.jwt.trust_role_claim.
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import type { UserEntity, UserRole } from '../users/user.entity.js';
import { handleFromClaims } from '../users/user.handle.js';
import { UsersService } from '../users/users.service.js';
import { invalidToken, unauthenticated } from './auth.errors.js';
import { grantedScopes, type Principal } from './principal.js';

export interface JwtClaims extends Record<string, unknown> {
  sub?: unknown;
  role?: unknown;
  email?: unknown;
  name?: unknown;
  exp?: unknown;
}

const USER_TTL_MS = 5_000;
const MAX_CACHED_USERS = 10_000;

@Injectable()
export class JwtPrincipalService {
  private readonly users = new Map<string, { user: UserEntity; until: number }>();

  constructor(
    private readonly usersService: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async principalFor(claims: JwtClaims): Promise<Principal> {
    const sub = claims.sub;
    if (typeof sub !== 'string' || !sub || sub.length > 255) throw invalidToken('it has no "sub" claim naming the user');
    // A token that never expires cannot be taken back once leaked (verification checks exp only when present).
    if (typeof claims.exp !== 'number') throw invalidToken('it has no "exp" claim, so it would never expire; issue tokens with an expiry time');
    const { trust_role_claim: trustRole, auto_provision: provision } = this.config.auth.jwt;
    const claimedRole = roleClaim(claims.role);
    let user = await this.findUser(sub);
    if (!user) {
      if (!provision) {
        throw unauthenticated(`The token's user "${sub}" does not exist on this server. Ask an admin to create it, or to turn on auth.jwt.auto_provision.`, {
          sub,
        });
      }
      user = await this.usersService.provision(sub, handleFromClaims(claims, sub), {
        email: typeof claims.email === 'string' ? claims.email : null,
        name: typeof claims.name === 'string' ? claims.name : null,
        role: trustRole && claimedRole ? claimedRole : 'user',
      });
      this.remember(user);
    }
    const role: UserRole = trustRole && claimedRole ? claimedRole : user.role;
    return { user, role, scopes: grantedScopes(role) };
  }

  private async findUser(id: string): Promise<UserEntity | null> {
    const now = Date.now();
    const entry = this.users.get(id);
    if (entry && entry.until > now) return entry.user;
    const user = await this.usersService.findById(id);
    if (user) this.remember(user);
    return user;
  }

  private remember(user: UserEntity): void {
    if (this.users.size >= MAX_CACHED_USERS) this.users.clear();
    this.users.set(user.id, { user, until: Date.now() + USER_TTL_MS });
  }
}

function roleClaim(value: unknown): UserRole | null {
  return value === 'admin' || value === 'user' ? value : null;
}

import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { AdminBootstrapService } from './admin-bootstrap.service.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthService } from './auth.service.js';
import { JwtPrincipalService } from './jwt-principal.service.js';
import { JwtStrategy } from './jwt.strategy.js';
import { RateLimiter } from './rate-limiter.js';

/** Authentication for every role: API keys, JWTs, the admin user and its first key, rate limits. */
@Module({
  imports: [UsersModule],
  providers: [ApiKeysRepository, ApiKeysService, JwtPrincipalService, JwtStrategy, AuthService, RateLimiter, AdminBootstrapService],
  exports: [AuthService, ApiKeysService, RateLimiter],
})
export class AuthModule {}

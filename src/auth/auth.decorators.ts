// Route metadata read by the global ApiAuthGuard.
import { SetMetadata } from '@nestjs/common';
import type { Scope } from './principal.js';

export const PUBLIC_ROUTE = 'trellis:public';
export const REQUIRED_SCOPES = 'trellis:scopes';

/** A route under /api that answers without credentials (credentials, when sent, are still checked). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Every listed scope is needed (on a controller and a method, the lists add up); 403 FORBIDDEN names the missing ones. */
export const RequireScopes = (...scopes: Scope[]) => SetMetadata(REQUIRED_SCOPES, scopes);

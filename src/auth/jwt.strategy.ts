// Bearer JWTs through passport-jwt: HS256 with auth.jwt.secret (JWT_SECRET), or RS256/ES256 public keys
// fetched from auth.jwt.jwks_url (jwks.client.ts). Each strategy has a passport instance of its own, so
// two apps in one process (tests) never share a registration.
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request, Response } from 'express';
import passport from 'passport';
import { ExtractJwt, Strategy, type SecretOrKeyProvider } from 'passport-jwt';
import { AppError } from '../common/errors.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { invalidToken } from './auth.errors.js';
import { JwksClient } from './jwks.client.js';
import { JwtPrincipalService, type JwtClaims } from './jwt-principal.service.js';
import type { Principal } from './principal.js';

export const JWT_STRATEGY = 'trellis-jwt';
const SECRET_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
const PUBLIC_KEY_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;

const instances = new WeakMap<object, passport.PassportStatic>();

/** Why a token was refused before or during verification; becomes a 401 naming the reason. */
class TokenRefusal extends Error {}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly principals: JwtPrincipalService,
  ) {
    const { secret, jwks_url: jwksUrl, issuer, audience } = config.auth.jwt;
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: keyProvider(secret, jwksUrl),
      algorithms: [...(secret ? SECRET_ALGORITHMS : []), ...(jwksUrl ? PUBLIC_KEY_ALGORITHMS : []), ...(!secret && !jwksUrl ? ['HS256' as const] : [])],
      ...(issuer ? { issuer } : {}),
      ...(audience ? { audience } : {}),
    });
  }

  getPassportInstance(): passport.PassportStatic {
    let instance = instances.get(this);
    if (!instance) {
      instance = new passport.Passport() as passport.PassportStatic;
      instances.set(this, instance);
    }
    return instance;
  }

  validate(claims: JwtClaims): Promise<Principal> {
    return this.principals.principalFor(claims);
  }

  /** Verifies the request's `Authorization: Bearer <JWT>`; answers the principal or throws a 401 saying why. */
  verifyRequest(request: Pick<Request, 'headers'>, response?: Response): Promise<Principal> {
    return this.run(request, response);
  }

  private run(request: Pick<Request, 'headers'>, response: Response | undefined): Promise<Principal> {
    return new Promise((resolve, reject) => {
      const middleware = this.getPassportInstance().authenticate(
        JWT_STRATEGY,
        { session: false },
        (error: unknown, principal: Principal | false, info: unknown) => {
          if (error) return reject(error instanceof AppError ? error : error instanceof TokenRefusal ? invalidToken(error.message) : error);
          if (!principal) return reject(invalidToken(describeRefusal(info)));
          resolve(principal);
        },
      );
      middleware(request, response ?? ({} as Response), (error?: unknown) => reject(error ?? new Error('passport did not answer')));
    });
  }
}

function keyProvider(secret: string | undefined, jwksUrl: string | undefined): SecretOrKeyProvider {
  const jwks = jwksUrl ? new JwksClient(jwksUrl) : null;
  return (_request, rawToken: string, done) => {
    const header = tokenHeader(rawToken);
    const alg = header?.alg;
    if (!header || !alg) return done(new TokenRefusal('it is not a well-formed JWT (three base64url parts with an "alg" header)'));
    if (alg.startsWith('HS')) {
      if (secret) return done(null, secret);
      return done(
        new TokenRefusal(
          `it is signed with ${alg}, but this server has no JWT_SECRET (auth.jwt.secret)${jwksUrl ? `; it accepts tokens signed by the keys at ${jwksUrl}` : ''}`,
        ),
      );
    }
    if (!jwks) {
      return done(
        new TokenRefusal(
          `it is signed with ${alg}, but this server has no auth.jwt.jwks_url to fetch public keys from${secret ? '; it accepts HS256 tokens signed with its JWT_SECRET' : ''}`,
        ),
      );
    }
    jwks.keyFor(header.kid).then(
      (key) => (key ? done(null, key) : done(new TokenRefusal(`no key at ${jwksUrl} matches its key id (kid) ${header.kid ?? '(none)'}`))),
      (error: Error) => done(new TokenRefusal(`the signing keys at ${jwksUrl} could not be fetched (${error.message})`)),
    );
  };
}

function tokenHeader(token: string): { alg?: string; kid?: string } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
    return { alg: typeof header.alg === 'string' ? header.alg : undefined, kid: typeof header.kid === 'string' ? header.kid : undefined };
  } catch {
    return null;
  }
}

/** jsonwebtoken's reasons, said for a person. */
function describeRefusal(info: unknown): string {
  if (info instanceof TokenRefusal) return info.message;
  const error = info as { name?: string; message?: string; expiredAt?: Date; date?: Date } | undefined;
  switch (error?.name) {
    case 'TokenExpiredError':
      return `it expired at ${error.expiredAt?.toISOString() ?? 'an earlier time'}; get a new token from your identity provider`;
    case 'NotBeforeError':
      return `it is not valid before ${error.date?.toISOString() ?? 'a later time'}`;
    case 'JsonWebTokenError':
      if (error.message === 'invalid signature') return 'its signature does not match the keys this server trusts (JWT_SECRET or auth.jwt.jwks_url)';
      if (error.message?.startsWith('jwt audience invalid')) return `its audience (aud) is not the one this server expects (${error.message})`;
      if (error.message?.startsWith('jwt issuer invalid')) return `its issuer (iss) is not the one this server expects (${error.message})`;
      if (error.message === 'invalid algorithm') return 'it is signed with an algorithm this server does not accept';
      if (error.message === 'jwt malformed') return 'it is not a well-formed JWT';
      return error.message ?? 'it could not be verified';
    default:
      return error?.message ?? 'it could not be verified';
  }
}

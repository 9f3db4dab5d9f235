// The errors of credentials and OAuth2, each saying what to do next. None ever carries a secret value:
// only names, fields, types, providers and the provider's error code.
import { AppError, type Problem } from '../common/errors.js';

export const CredentialErrorCode = {
  CREDENTIAL_UNRESOLVED: 'CREDENTIAL_UNRESOLVED',
  OAUTH2_STATE_INVALID: 'OAUTH2_STATE_INVALID',
  OAUTH2_AUTHORIZATION_DENIED: 'OAUTH2_AUTHORIZATION_DENIED',
  OAUTH2_TOKEN_FAILED: 'OAUTH2_TOKEN_FAILED',
} as const;

export function credentialNotFound(name: string): AppError {
  return new AppError(
    'NOT_FOUND',
    `You have no credential "${name}". List yours with GET /api/integrations/credentials, or create it (POST /api/integrations/credentials).`,
    {
      credential: name,
    },
  );
}

export function credentialExists(name: string): AppError {
  return new AppError(
    'CONFLICT',
    `You already have a credential "${name}". Replace its secret with PUT /api/integrations/credentials/${encodeURIComponent(name)}, delete it first, or choose another name.`,
    { credential: name },
  );
}

export function credentialInConfig(name: string): AppError {
  return new AppError(
    'CONFLICT',
    `The credential name "${name}" is defined in config/credentials.yaml for everyone, and a name resolves to one credential only. Choose another name.`,
    { credential: name, source: 'config' },
  );
}

export function credentialTypeMismatch(name: string, existing: string, wanted: string): AppError {
  return new AppError(
    'CONFLICT',
    `Your credential "${name}" is of type ${existing}, not ${wanted}. Delete it first (DELETE /api/integrations/credentials/${encodeURIComponent(name)}) or choose another name.`,
    { credential: name, type: existing },
  );
}

/** Every unresolved field of an execution at once (400: fix the agent, or create the credentials). */
export function credentialsUnresolved(problems: Problem[]): AppError {
  const count = problems.length === 1 ? 'A credential field does' : `${problems.length} credential fields do`;
  return new AppError(CredentialErrorCode.CREDENTIAL_UNRESOLVED, `${count} not resolve: ${problems.map((p) => p.message).join('; ')}.`, { problems }, 400);
}

export function unknownProvider(provider: string, configured: string[]): AppError {
  const known = configured.length ? `Configured providers: ${configured.join(', ')}.` : 'No OAuth2 provider is configured.';
  return new AppError(
    'NOT_FOUND',
    `No OAuth2 provider "${provider}". ${known} Add one under integrations.oauth2.${provider} (authorize_url, token_url, client_id, client_secret, scopes) in config/.`,
    {
      provider,
      configured,
    },
  );
}

export function providerMisconfigured(provider: string, problems: string[]): AppError {
  return new AppError(
    'INTERNAL',
    `The OAuth2 provider "${provider}" is not configured correctly (integrations.oauth2.${provider}): ${problems.join('; ')}. Ask an admin to fix the configuration.`,
    { provider, problems },
    500,
  );
}

export function invalidState(reason: string): AppError {
  return new AppError(CredentialErrorCode.OAUTH2_STATE_INVALID, `${reason} Start the sign-in again with POST /api/integrations/{provider}/login.`, {}, 400);
}

export function authorizationDenied(provider: string, error: string, description?: string): AppError {
  return new AppError(
    CredentialErrorCode.OAUTH2_AUTHORIZATION_DENIED,
    `${provider} did not authorise the sign-in (${error}${description ? `: ${description}` : ''}). Start again with POST /api/integrations/${provider}/login and approve the request.`,
    { provider, provider_error: error },
    400,
  );
}

/** The token endpoint refused or failed; `status` 400 when it answered with an OAuth2 error, 502 when it could not be used. */
export function tokenFailed(provider: string, what: string, reason: string, status: number, providerError?: string): AppError {
  return new AppError(
    CredentialErrorCode.OAUTH2_TOKEN_FAILED,
    `${what} at ${provider}'s token endpoint failed: ${reason}`,
    { provider, ...(providerError ? { provider_error: providerError } : {}) },
    status,
  );
}

// The shapes of an OpenAPI integration (release-2.md section 5): the reviewed `integrations/<name>.yaml`
// file, the operations read from its OpenAPI document, and the problems found, each with line and column.

export type IntegrationCredentialType = 'api_key' | 'oauth2' | 'user_password';

export interface IntegrationCredential {
  type: IntegrationCredentialType;
  /** Where the secret goes: a header `name`, a query parameter `name`, or `Authorization: Bearer`. */
  in: 'header' | 'query' | 'bearer' | 'basic';
  name?: string;
}

export interface IntegrationAllow {
  file_agents: boolean;
  roles: string[];
  users: string[];
}

export interface IntegrationFile {
  name: string;
  /** The document's path relative to the integrations folder. */
  openapi: string;
  base_url: string;
  credential?: IntegrationCredential;
  operations?: string[];
  allow: IntegrationAllow;
  allow_private: boolean;
}

export interface IntegrationProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export type ParameterLocation = 'path' | 'query' | 'header';

export interface OperationPin {
  pin: string;
  /** Where it goes: a parameter (by its name in the document) or a top-level property of the JSON body. */
  location: ParameterLocation | 'body';
  name: string;
  required: boolean;
  schema: Record<string, unknown>;
  description?: string;
}

export interface IntegrationOperation {
  /** `<integration>.<operation id in snake_case>`. */
  blockId: string;
  operationId: string;
  method: string;
  path: string;
  summary: string;
  pins: OperationPin[];
  /** True when the JSON body is not an object: the whole body is the pin `body`. */
  wholeBody: boolean;
  /** The operation needs no credential (`security: []`). */
  public: boolean;
}

/** What integration_versions records of a version: its blocks are rebuilt from it (recorded-blocks.ts). */
export interface IntegrationDefinition {
  file: IntegrationFile;
  operations: IntegrationOperation[];
}

export interface LoadedIntegration {
  file: IntegrationFile;
  /** The integration file's path (for messages). */
  source: string;
  operations: IntegrationOperation[];
  /** A hash of the file and the operations: a change is a new integration version. */
  hash: string;
}

import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { IntegrationFile, IntegrationOperation } from '../blocks/openapi/integration.types.js';

/** One operation as a version records it: enough to say what a later document adds, changes or removes. */
export interface StoredOperation {
  block: string;
  operation_id: string;
  method: string;
  path: string;
  /** Input pins: name -> `location required` (what an agent's links and inputs depend on). */
  pins: Record<string, string>;
  /** A hash of the operation's whole mapping (schemas and descriptions too). */
  hash: string;
}

/**
 * A version of an OpenAPI integration (release-2.md section 5), recorded by sync like a graph's version:
 * a new one each time the integration file or its document changes what the blocks are. The newest
 * version of a name is the integration's state; `removed` marks the version its file went away.
 */
@Entity({ name: 'integration_versions' })
export class IntegrationVersionEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'integration_versions_pkey' })
  name!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'integration_versions_pkey' })
  version!: number;

  /** LoadedIntegration.hash: the file and the operations. */
  @Column({ type: 'text' })
  hash!: string;

  /** The integration file, as problems show it. */
  @Column({ type: 'text', nullable: true })
  file!: string | null;

  @Column({ type: 'jsonb' })
  operations!: StoredOperation[];

  /** The integration file and its operations as read (pins with their schemas): the blocks of this version, rebuilt without the document. */
  @Column({ type: 'jsonb', nullable: true })
  definition!: { file: IntegrationFile; operations: IntegrationOperation[] } | null;

  @Column({ type: 'boolean', default: false })
  removed!: boolean;

  @Column({ type: 'text', nullable: true })
  commit!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;
}

// File trust (release-2.md section 1): an execution of a file agent may use operator credentials whose
// `allow.file_agents` is on, for names its FILE gives, when it runs the agent's active version and was
// started by one of the agent's own triggers, by an admin, or as the child of an admitted execution.
// The flag is computed once when the execution is written (`executions.file_trust`), by admission: here
// for the execute API (before its checks); for triggers and children in the one INSERT of executions
// (admission/admission.repository.ts), which applies the same rule in SQL against the graph at the commit.

export interface FileTrustFacts {
  graph: { source: string; active_version: number };
  version: number;
  /** started by the agent's own trigger, by an admin, or as the child of an admitted execution */
  trustedStart: boolean;
}

export function admitsFileTrust({ graph, version, trustedStart }: FileTrustFacts): boolean {
  return graph.source === 'file' && version === graph.active_version && trustedStart;
}

/**
 * The credential fields of a node that file trust covers: every field of the block except those the
 * execute request (or a preset) maps, since those names do not come from the file.
 */
export function fileTrustedFields(fileTrust: boolean, fields: readonly string[], overrides: Record<string, string> | undefined): string[] {
  if (!fileTrust) return [];
  return fields.filter((field) => !overrides || !Object.hasOwn(overrides, field));
}

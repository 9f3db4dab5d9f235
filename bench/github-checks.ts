// Check runs as the local GitHub API server keeps them, and GitHub's rules for writing one: outputs at most
// 65,535 characters, at most 50 annotations per request (appended across updates), columns on one line only.

type Json = Record<string, unknown>;

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: string;
  message: string;
  title?: string;
}

export interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: Annotation[];
  app: { slug: string } | null;
}

/** GitHub's rules for a check run write: outputs at most 65,535 characters, at most 50 annotations per request. */
export function applyCheckUpdate(run: CheckRun, body: Json): string | null {
  const output = (body.output ?? null) as (Json & { annotations?: Annotation[] }) | null;
  if (output) {
    for (const key of ['summary', 'text'] as const)
      if (typeof output[key] === 'string' && (output[key] as string).length > 65_535) return `output.${key} is too long (maximum is 65535 characters)`;
    if ((output.annotations ?? []).length > 50) return 'Only 50 annotations may be sent per request';
    for (const a of output.annotations ?? []) {
      if (!a.path || !a.start_line || !a.end_line || !a.annotation_level || !a.message)
        return 'Invalid annotation: path, start_line, end_line, annotation_level and message are required';
      if ((a.start_column !== undefined || a.end_column !== undefined) && a.start_line !== a.end_line)
        return 'start_column and end_column may only be given on one line';
    }
    run.output = {
      title: (output.title as string) ?? run.output.title,
      summary: (output.summary as string) ?? run.output.summary,
      text: (output.text as string) ?? run.output.text,
    };
    run.annotations.push(...(output.annotations ?? []));
  }
  if (typeof body.status === 'string') run.status = body.status;
  if (typeof body.conclusion === 'string') {
    run.conclusion = body.conclusion;
    run.status = 'completed';
  }
  return null;
}

export function checkRunJson(run: CheckRun): Json {
  return {
    id: run.id,
    name: run.name,
    head_sha: run.head_sha,
    status: run.status,
    conclusion: run.conclusion,
    output: { ...run.output, annotations_count: run.annotations.length },
    app: run.app,
  };
}

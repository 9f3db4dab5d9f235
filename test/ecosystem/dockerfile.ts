// A small Dockerfile reader for tests: stages, and each instruction with its arguments (the JSON form
// parsed when it is one). Enough for the files we write; not a general parser.

export interface Instruction {
  op: string;
  /** The text after the instruction word, continuation lines joined. */
  args: string;
  /** The exec (JSON array) form, when the arguments end in one. */
  exec: string[] | null;
  /** Flags such as --from=build or --interval=10s. */
  flags: Record<string, string>;
}

export interface Stage {
  name: string | null;
  from: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (pending && line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(`${pending}${line}`.trim());
    pending = '';
  }
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, word, rest = ''] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = readInstruction(word!.toUpperCase(), rest);
    if (instruction.op === 'FROM') {
      const [from, , name] = instruction.args.split(/\s+/);
      stages.push({ name: name ?? null, from: from!, instructions: [] });
    } else if (stages.length === 0) {
      args.push(instruction);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { args, stages };
}

function readInstruction(op: string, rest: string): Instruction {
  const flags: Record<string, string> = {};
  let text = rest;
  for (let match = /^--([a-z-]+)=(\S+)\s*/.exec(text); match; match = /^--([a-z-]+)=(\S+)\s*/.exec(text)) {
    flags[match[1]!] = match[2]!;
    text = text.slice(match[0].length);
  }
  const jsonStart = text.indexOf('[');
  let exec: string[] | null = null;
  if (jsonStart >= 0 && text.trimEnd().endsWith(']')) {
    try {
      exec = JSON.parse(text.slice(jsonStart)) as string[];
    } catch {
      exec = null;
    }
  }
  return { op, args: text, exec, flags };
}

/** The instructions of one kind in a stage. */
export function instructionsOf(stage: Stage, op: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.op === op);
}

/** ENV lines of a stage as a map (both `ENV A=1 B=2` and `ENV A 1`). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of instructionsOf(stage, 'ENV')) {
    if (!args.includes('=')) {
      const [name, ...value] = args.split(/\s+/);
      env[name!] = value.join(' ');
      continue;
    }
    for (const pair of args.match(/[A-Za-z_][A-Za-z0-9_]*=("[^"]*"|\S*)/g) ?? []) {
      const index = pair.indexOf('=');
      env[pair.slice(0, index)] = pair.slice(index + 1).replace(/^"(.*)"$/, '$1');
    }
  }
  return env;
}

// The README's fenced code blocks, as the README tests read them: the shell blocks (```sh and ```bash) are
// commands a reader types; plain ``` blocks are output or listings; yaml blocks are files.

export interface CodeBlock {
  /** The fence's language ('' for a plain block). */
  lang: string;
  /** Line number of the opening fence (1-based). */
  line: number;
  body: string[];
}

export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const match of markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)) {
    blocks.push({ lang: match[1]!, line: markdown.slice(0, match.index).split('\n').length, body: match[2]!.replace(/\n$/, '').split('\n') });
  }
  return blocks;
}

export const SHELL = new Set(['sh', 'bash']);

/** The lines of the shell blocks and of the plain ones (where a command may be shown with its output), comments kept. */
export function codeLines(markdown: string): string[] {
  return codeBlocks(markdown)
    .filter((block) => SHELL.has(block.lang) || block.lang === '')
    .flatMap((block) => block.body);
}

/** The commands of a shell block: continuation lines joined, blank and comment-only lines left out. */
export function shellCommands(block: CodeBlock): string[] {
  const commands: string[] = [];
  let pending = '';
  for (const line of block.body) {
    if (line.trimEnd().endsWith('\\')) {
      pending += `${line.trimEnd().slice(0, -1)} `;
      continue;
    }
    const command = `${pending}${line}`.trim();
    pending = '';
    if (command && !command.startsWith('#')) commands.push(command);
  }
  return commands;
}

// `github.file.get`: reads a file of a repository (base64 from the contents API, decoded to UTF-8).
import { defineBlock, optional, Type } from '../../pins.js';
import { GITHUB_BLOCK, openGithubSession, REPOSITORY_PIN } from './github-client.js';
import { unexpectedAnswer } from './github.errors.js';
import { blockErrors, OUTBOUND_ERRORS, GITHUB_ERRORS } from '../../block-errors.catalog.js';

const ID = 'github.file.get';

export const githubFileGetBlock = defineBlock({
  id: ID,
  description:
    'Reads one file of a repository at a ref (the default branch unless given) and yields its content as UTF-8 text with its blob sha. ' +
    'A file that is not valid UTF-8 comes as base64 (encoding says which). Reads only.',
  ...GITHUB_BLOCK,
  inputs: {
    repository: REPOSITORY_PIN,
    path: Type.String({ minLength: 1, description: "The file's path in the repository, e.g. docs/README.md." }),
    ref: optional(Type.String({ minLength: 1, description: 'A branch, tag or commit sha (default: the default branch).' })),
  },
  outputs: {
    content: Type.String({ description: "The file's content: UTF-8 text, or base64 when it is not text." }),
    encoding: Type.Enum(['utf-8', 'base64'], { description: 'utf-8, or base64 for a binary file.' }),
    sha: Type.String({ description: 'The blob sha of the file (what an update must name).' }),
  },
  errors: blockErrors('CREDENTIAL_UNRESOLVED', ...OUTBOUND_ERRORS, ...GITHUB_ERRORS),
  async *run(inputs, context) {
    const github = openGithubSession(ID, inputs.repository, context);
    const path = inputs.path.replace(/^\/+/, '');
    const what = `file ${path} in ${inputs.repository}${inputs.ref ? ` at ${inputs.ref}` : ''}`;
    const params = { owner: github.owner, repo: github.repo, path, ...(inputs.ref ? { ref: inputs.ref } : {}) };
    const { data } = await github.call(what, (request) => github.octokit.rest.repos.getContent({ ...params, request }));
    if (Array.isArray(data)) throw unexpectedAnswer(what, 'a file, but the path is a directory; give the path of a file in it');
    if (data.type !== 'file') throw unexpectedAnswer(what, `a file, but it is a ${data.type}`);
    let bytes: Buffer;
    if (data.encoding === 'base64' && typeof data.content === 'string' && (data.content !== '' || data.size === 0)) {
      bytes = Buffer.from(data.content, 'base64');
    } else {
      // Files over 1 MB come without content: ask for the raw bytes instead.
      const { data: raw } = await github.call(what, (request) => github.octokit.rest.repos.getContent({ ...params, mediaType: { format: 'raw' }, request }));
      bytes = rawBytes(raw as unknown);
    }
    const text = utf8(bytes);
    yield ['content', text ?? bytes.toString('base64')] as const;
    yield ['encoding', text === null ? 'base64' : 'utf-8'] as const;
    yield ['sha', data.sha] as const;
  },
});

function rawBytes(raw: unknown): Buffer {
  if (typeof raw === 'string') return Buffer.from(raw, 'utf8');
  // Compared by tag, not instanceof: the ArrayBuffer may come from another realm (fetch's).
  if (Object.prototype.toString.call(raw) === '[object ArrayBuffer]') return Buffer.from(raw as ArrayBuffer);
  if (ArrayBuffer.isView(raw)) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  throw unexpectedAnswer('the raw file', "the file's bytes");
}

/** The bytes as text when they are valid UTF-8, else null. */
function utf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

// `trellis propose <agent> --server <url>`: POST /api/graphs/{id}/propose, which writes an API graph as an agent
// file on a new branch of the agents repository and opens a pull request (the GitOps way back to Git).
import type { CliIo } from '../../agents/agents.command.js';
import type { Proposal } from '../../triggers/gitops/gitops-propose.service.js';
import { RemoteError, type RemoteClient } from './remote-client.js';
import { UsageError } from './remote-session.js';

/** Prints the pull request's URL on stdout (the branch, file and number on stderr); exit 0 once it is open. */
export async function proposeCommand(client: RemoteClient, agent: string, json: boolean, io: CliIo): Promise<number> {
  if (/\.ya?ml$/i.test(agent) || agent.includes('/'))
    throw new UsageError(
      `Name the API graph as the server knows it (its "name:"), not a file: ${agent}. A file agent is proposed by a pull request of its own.`,
    );
  let proposal: Proposal;
  try {
    proposal = await client.post<Proposal>(`/api/graphs/${encodeURIComponent(agent)}/propose`, { subject: `agent ${agent}` });
  } catch (error) {
    throw notSetUp(error, client.target.server);
  }
  if (json) {
    io.out(JSON.stringify(proposal, null, 2) + '\n');
    return 0;
  }
  io.err(`proposed ${proposal.graph} v${proposal.version} as ${proposal.file} on branch ${proposal.branch}: pull request #${proposal.pull_request.number}\n`);
  io.out(`${proposal.pull_request.url}\n`);
  return 0;
}

/** The route's 503 for a server without GitHub access is a set-up matter, not a "try again". */
function notSetUp(error: unknown, server: string): unknown {
  if (!(error instanceof RemoteError) || error.code !== 'GITOPS_NOT_CONFIGURED') return error;
  return new RemoteError(
    `${server} cannot open pull requests: ${error.said} Its operator sets up GitOps (gitops.repository, and GITHUB_TOKEN or a GitHub App): README, "Running Trellis with GitOps".`,
    503,
    error.code,
  );
}

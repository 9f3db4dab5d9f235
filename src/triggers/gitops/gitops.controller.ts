// The GitOps routes: proposing an API graph back to the agents repository as a pull request, and the drift report.
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../auth/auth.decorators.js';
import { CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { ApiAnswers, ApiAuthenticated } from '../../common/api-docs.dto.js';
import { callerOf } from '../../graphs/graph-access.js';
import { DRIFT_REPORT, PROPOSAL } from './gitops-answers.dto.js';
import { GitopsProposeService, type DriftReport, type Proposal } from './gitops-propose.service.js';

@ApiTags('gitops')
@ApiAuthenticated()
@Controller('api')
export class GitopsController {
  constructor(private readonly proposals: GitopsProposeService) {}

  @Post('graphs/:id/propose')
  @HttpCode(201)
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: 'Propose an API graph as an agent file: a new branch and a pull request on the agents repository' })
  @ApiAnswers({ status: 201, schema: PROPOSAL, description: 'The branch and pull request opened' }, 400, 403, 404, 409, 503)
  propose(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<Proposal> {
    return this.proposals.propose(id, callerOf(principal));
  }

  @Get('agents/drift')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'What runs but is not what the agents repository says: API graphs, and file agents pinned away from their file' })
  @ApiAnswers({ status: 200, schema: DRIFT_REPORT, description: 'The drift report' }, 403)
  drift(@CurrentPrincipal() principal: Principal): Promise<DriftReport> {
    return this.proposals.drift(callerOf(principal));
  }
}

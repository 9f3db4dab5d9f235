// The GitOps routes: proposing an API graph back to the agents repository as a pull request, and the drift report.
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../auth/auth.decorators.js';
import { CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { callerOf } from '../../graphs/graph-access.js';
import { GitopsProposeService, type DriftReport, type Proposal } from './gitops-propose.service.js';

@ApiTags('gitops')
@ApiBearerAuth('bearer')
@ApiSecurity('api_key')
@Controller('api')
export class GitopsController {
  constructor(private readonly proposals: GitopsProposeService) {}

  @Post('graphs/:id/propose')
  @HttpCode(201)
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: 'Propose an API graph as an agent file: a new branch and a pull request on the agents repository' })
  propose(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<Proposal> {
    return this.proposals.propose(id, callerOf(principal));
  }

  @Get('agents/drift')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'What runs but is not what the agents repository says: API graphs, and file agents pinned away from their file' })
  drift(@CurrentPrincipal() principal: Principal): Promise<DriftReport> {
    return this.proposals.drift(callerOf(principal));
  }
}

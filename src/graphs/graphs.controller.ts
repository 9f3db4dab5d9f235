import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireScopes } from '../auth/auth.decorators.js';
import { ApiAnswers, ApiAuthenticated, ApiError } from '../common/api-docs.dto.js';
import { GRAPH, GRAPH_ANALYSIS, GRAPH_BODY, GRAPH_PAGE, GRAPH_VERSION_PAGE, PRESET, PRESET_PAGE } from './graphs-answers.dto.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import type { GraphView, VersionView } from './graph.view.js';
import { CreatePresetDto, DiagramQuery, GraphVersionQuery, ListGraphsQuery, SetActiveVersionDto } from './graphs.dto.js';
import { GraphsService, type GraphAnalysis, type Page } from './graphs.service.js';
import { PresetsService, type PresetView } from './presets.service.js';

@ApiTags('graphs')
@ApiAuthenticated()
@ApiError(403)
@Controller('api/graphs')
export class GraphsController {
  constructor(
    private readonly graphs: GraphsService,
    private readonly presets: PresetsService,
  ) {}

  @Get()
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'Graphs you may see: agents from files and your own API graphs (admins: all); ?source=file|api, ?active=true' })
  @ApiAnswers({ status: 200, schema: GRAPH_PAGE, description: 'A page of graphs' }, 400)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListGraphsQuery): Promise<Page<GraphView>> {
    return this.graphs.list(principal, query);
  }

  @Post()
  @HttpCode(201)
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: 'Create a graph from a JSON body in the agent format (source: api); 400 with every problem, 409 if the name exists' })
  @ApiBody({ schema: GRAPH_BODY })
  @ApiAnswers({ status: 201, schema: GRAPH, description: 'The graph, version 1' }, 400, 409)
  create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<GraphView> {
    return this.graphs.create(principal, body);
  }

  @Get(':id')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'The active version of a graph (?version=N for another): nodes, links, triggers, file and commit' })
  @ApiAnswers({ status: 200, schema: GRAPH, description: 'The graph' }, 400, 404)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() query: GraphVersionQuery): Promise<GraphView> {
    return this.graphs.get(principal, id, query.version);
  }

  @Put(':id')
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: 'A new version of an API graph, made active (409 for a graph from a file, naming the file)' })
  @ApiBody({ schema: GRAPH_BODY })
  @ApiAnswers({ status: 200, schema: GRAPH, description: 'The graph at its new version' }, 400, 404, 409)
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown): Promise<GraphView> {
    return this.graphs.update(principal, id, body);
  }

  @Delete(':id')
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: 'Deactivate an API graph: its triggers stop, its history stays (409 for a graph from a file)' })
  @ApiAnswers({ status: 200, schema: GRAPH, description: 'The graph, inactive' }, 404, 409)
  remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<GraphView> {
    return this.graphs.deactivate(principal, id);
  }

  @Get(':id/versions')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'Every version, newest first, with hash, source file, commit and created_at' })
  @ApiAnswers({ status: 200, schema: GRAPH_VERSION_PAGE, description: 'Every version' }, 404)
  versions(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<Page<VersionView>> {
    return this.graphs.versions(principal, id);
  }

  @Put(':id/versions/active')
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: '{version}: make a version active (API graphs) or pin a file graph (admins); {version: null} unpins' })
  @ApiAnswers({ status: 200, schema: GRAPH, description: 'The graph' }, 400, 404, 409)
  setActive(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: SetActiveVersionDto): Promise<GraphView> {
    return this.graphs.setActiveVersion(principal, id, body.version);
  }

  @Get(':id/diagram')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'Mermaid text of the graph (?format=svg for a picture, ?version=N)' })
  @ApiAnswers(
    [
      { status: 200, schema: { type: 'string', example: 'flowchart LR' }, contentType: 'text/plain', description: 'Mermaid text' },
      { status: 200, schema: { type: 'string' }, contentType: 'image/svg+xml', description: 'With ?format=svg: an SVG picture' },
    ],
    400,
    404,
  )
  async diagram(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: DiagramQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const diagram = await this.graphs.diagram(principal, id, query);
    response.setHeader('Content-Type', diagram.contentType);
    return diagram.body;
  }

  @Get(':id/analysis')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'Depth, parallel branches, critical path, credits per run (min, max; null when unbounded) and suggestions (?version=N)' })
  @ApiAnswers({ status: 200, schema: GRAPH_ANALYSIS, description: 'The analysis' }, 400, 404)
  analysis(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() query: GraphVersionQuery): Promise<GraphAnalysis> {
    return this.graphs.analysis(principal, id, query.version);
  }

  @Get(':id/presets')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'Your saved sets of inputs and credential names for this graph' })
  @ApiAnswers({ status: 200, schema: PRESET_PAGE, description: 'Your presets' }, 404)
  listPresets(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<Page<PresetView>> {
    return this.presets.list(principal, id);
  }

  @Post(':id/presets')
  @HttpCode(201)
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: 'Save a set of inputs and credential names for this graph' })
  @ApiAnswers({ status: 201, schema: PRESET, description: 'The preset' }, 400, 404, 409)
  createPreset(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: CreatePresetDto): Promise<PresetView> {
    return this.presets.create(principal, id, body);
  }
}

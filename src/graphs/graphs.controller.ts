import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireScopes } from '../auth/auth.decorators.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import type { GraphView, VersionView } from './graph.view.js';
import { CreatePresetDto, DiagramQuery, GraphVersionQuery, ListGraphsQuery, SetActiveVersionDto } from './graphs.dto.js';
import { GraphsService, type Page } from './graphs.service.js';
import { PresetsService, type PresetView } from './presets.service.js';

@ApiTags('graphs')
@ApiBearerAuth('bearer')
@ApiSecurity('api_key')
@Controller('api/graphs')
export class GraphsController {
  constructor(
    private readonly graphs: GraphsService,
    private readonly presets: PresetsService,
  ) {}

  @Get()
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'Graphs you may see: agents from files and your own API graphs (admins: all); ?source=file|api, ?active=true' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListGraphsQuery): Promise<Page<GraphView>> {
    return this.graphs.list(principal, query);
  }

  @Post()
  @HttpCode(201)
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: 'Create a graph from a JSON body in the agent format (source: api); 400 with every problem, 409 if the name exists' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<GraphView> {
    return this.graphs.create(principal, body);
  }

  @Get(':id')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'The active version of a graph (?version=N for another): nodes, links, triggers, file and commit' })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Query() query: GraphVersionQuery): Promise<GraphView> {
    return this.graphs.get(principal, id, query.version);
  }

  @Put(':id')
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: 'A new version of an API graph, made active (409 for a graph from a file, naming the file)' })
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown): Promise<GraphView> {
    return this.graphs.update(principal, id, body);
  }

  @Delete(':id')
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: 'Deactivate an API graph: its triggers stop, its history stays (409 for a graph from a file)' })
  remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<GraphView> {
    return this.graphs.deactivate(principal, id);
  }

  @Get(':id/versions')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'Every version, newest first, with hash, source file, commit and created_at' })
  versions(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<Page<VersionView>> {
    return this.graphs.versions(principal, id);
  }

  @Put(':id/versions/active')
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: '{version}: make a version active (API graphs) or pin a file graph (admins); {version: null} unpins' })
  setActive(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: SetActiveVersionDto): Promise<GraphView> {
    return this.graphs.setActiveVersion(principal, id, body.version);
  }

  @Get(':id/diagram')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'Mermaid text of the graph (?format=svg for a picture, ?version=N)' })
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

  @Get(':id/presets')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'Your saved sets of inputs and credential names for this graph' })
  listPresets(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<Page<PresetView>> {
    return this.presets.list(principal, id);
  }

  @Post(':id/presets')
  @HttpCode(201)
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: 'Save a set of inputs and credential names for this graph' })
  createPreset(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: CreatePresetDto): Promise<PresetView> {
    return this.presets.create(principal, id, body);
  }
}

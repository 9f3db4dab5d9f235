// Presets: a user's saved sets of inputs and credential names for a graph they can see. Inputs must be
// inputs of the graph's active version, so a preset never carries a value the graph would refuse.
import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { validationFailed, type Problem } from '../common/errors.js';
import { escapePointer } from '../common/validation.pipe.js';
import { summarizeAgent } from '../agent-format/agent.context.js';
import type { CreatePresetDto } from './graphs.dto.js';
import { presetNameTaken } from './graphs.errors.js';
import { GraphsRepository } from './graphs.repository.js';
import { GraphsService, type Page } from './graphs.service.js';
import { PresetExistsError, PresetsRepository, type PresetRow } from './presets.repository.js';

export interface PresetView {
  id: string;
  graph_id: string;
  name: string;
  description: string | null;
  inputs: Record<string, unknown>;
  credentials: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

function presetView(row: PresetRow): PresetView {
  return {
    id: row.id,
    graph_id: row.graph_id,
    name: row.name,
    description: row.description,
    inputs: row.inputs,
    credentials: row.credentials,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

@Injectable()
export class PresetsService {
  constructor(
    private readonly graphsService: GraphsService,
    private readonly graphs: GraphsRepository,
    private readonly presets: PresetsRepository,
  ) {}

  async list(principal: Principal, graphId: string): Promise<Page<PresetView>> {
    await this.graphsService.visible(principal, graphId);
    return { items: (await this.presets.listFor(graphId, principal.user.id)).map(presetView), next_cursor: null };
  }

  async create(principal: Principal, graphId: string, body: CreatePresetDto): Promise<PresetView> {
    const graph = await this.graphsService.visible(principal, graphId);
    const version = (await this.graphs.findVersion(graphId, graph.active_version))!;
    const known = summarizeAgent(version.definition).inputs;
    const inputs = body.inputs ?? {};
    const problems: Problem[] = Object.keys(inputs)
      .filter((name) => !known.includes(name))
      .map((name) => ({
        pointer: `/inputs/${escapePointer(name)}`,
        message: `graph "${graphId}" has no input "${name}"; its inputs: ${known.length ? known.join(', ') : 'none'}`,
      }));
    if (problems.length) throw validationFailed(problems);
    try {
      const row = await this.presets.insert({
        graph_id: graphId,
        user_id: principal.user.id,
        name: body.name.trim(),
        description: body.description ?? null,
        inputs,
        credentials: body.credentials ?? {},
      });
      return presetView(row);
    } catch (error) {
      if (error instanceof PresetExistsError) throw presetNameTaken(graphId, body.name.trim());
      throw error;
    }
  }
}

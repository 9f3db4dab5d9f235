// Every bench scenario, by name. Add a scenario: one file in this folder and one line here.
import aiAgent from './ai-agent.js';
import fanout from './fanout.js';
import { gitopsScenario } from './gitops.js';
import hostile from './hostile.js';
import latency from './latency.js';
import openapi from './openapi.js';
import peers from './peers.js';
import reviews from './reviews.js';
import { syncScenario } from './sync.js';
import throughput from './throughput.js';
import waiting from './waiting.js';
import webhooks from './webhooks.js';

/** One measured number; `budget` (same unit) is what the spec or the brief allows. */
export interface Figure {
  label: string;
  value: number;
  unit: string;
  budget?: number;
}

/** What a scenario answers: figures with units and budgets, or plain named values. */
export type ScenarioResult = Figure[] | Record<string, number | string>;

export interface Scenario {
  name: string;
  description: string;
  /** Runs the scenario and answers its figures; `say` prints progress. */
  run(say: (line: string) => void): Promise<ScenarioResult>;
}

export const SCENARIOS: Scenario[] = [syncScenario, throughput, latency, fanout, waiting, reviews, webhooks, hostile, gitopsScenario, peers, openapi, aiAgent];

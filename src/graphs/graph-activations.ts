// Who needs to know when graphs start or stop serving: the triggers module (webhooks, GitHub events, cron
// schedules) subscribes; sync and the graphs API publish after their transaction commits.
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logger.js';

export interface GraphActivation {
  graph_id: string;
  /** False when the graph was deactivated (file removed, API graph deleted). */
  active: boolean;
  /** The version now active (its trigger nodes are in graph_triggers); null when inactive. */
  active_version: number | null;
}

export type GraphActivationListener = (changes: readonly GraphActivation[]) => Promise<void> | void;

@Injectable()
export class GraphActivations {
  private readonly listeners = new Set<GraphActivationListener>();
  private readonly logger?: Logger;

  constructor(@Optional() @Inject(LOGGER) logger?: Logger) {
    this.logger = logger?.child({ component: 'GraphActivations' });
  }

  /** Answers the function that unsubscribes. */
  subscribe(listener: GraphActivationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells every listener; a listener's failure is logged and never undoes what was committed. */
  async publish(changes: readonly GraphActivation[]): Promise<void> {
    if (changes.length === 0) return;
    for (const listener of this.listeners) {
      try {
        await listener(changes);
      } catch (error) {
        this.logger?.error({ err: error, graphs: changes.map((c) => c.graph_id) }, 'a graph activation listener failed');
      }
    }
  }
}

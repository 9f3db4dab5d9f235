// How processes tell each other that an integration changed (a sync recorded a new version, or removed it):
// one event per change on the event bus (runtime.md "Events"), which every api and worker process hears.
// The port is typed here, below the executions module whose EventBus implements it (ExecutionEventsModule
// provides INTEGRATION_CHANGE_FEED as that bus).

export interface IntegrationChangedEvent {
  event: 'integration_changed';
  /** The version recorded in integration_versions; `removed`: that version removed the integration. */
  data: { name: string; version: number; removed: boolean; [key: string]: unknown };
}

export interface IntegrationChangeFeed {
  /** To every process (this one too). Never throws: a lost event is caught up on demand (IntegrationBlocksService). */
  publish(event: IntegrationChangedEvent): Promise<void>;
  /** Every event of the bus: a listener keeps the integration_changed ones. */
  subscribe(listener: (event: { event: string; data: unknown }) => void): () => void;
}

/** Nest injection token for the IntegrationChangeFeed (absent in the CLI: nothing else runs blocks there). */
export const INTEGRATION_CHANGE_FEED = Symbol('INTEGRATION_CHANGE_FEED');

// Which deploys restart a given node or the nodes its outputs are wired to.
//
// Node-RED stops nodes synchronously when a deploy begins and drops messages still on their way
// into a stopped node. A callback node that acknowledged a delivery just before must know, so
// that it can answer 503 and let Meeting BaaS retry instead of losing the delivery.
import type { NodeAPI } from 'node-red';

interface DeployDiff {
  changed?: string[];
  removed?: string[];
  linked?: string[];
  rewired?: string[];
}
export interface DeployEvent {
  type?: string;
  diff?: DeployDiff;
}

/** The ids a deploy stops, as @node-red/runtime's flows `stop()` computes them; null for all. */
export function stoppedIds(event: DeployEvent): ReadonlySet<string> | null {
  const diff = event.diff;
  if (!diff || (event.type !== 'nodes' && event.type !== 'flows')) return null;
  const ids = [...(diff.changed ?? []), ...(diff.removed ?? [])];
  if (event.type === 'flows') ids.push(...(diff.linked ?? []), ...(diff.rewired ?? []));
  return new Set(ids);
}

/** What one callback node wants to hear of deploys. */
export interface FlowEventsListener {
  readonly started?: () => void;
  readonly stopping?: (event: DeployEvent) => void;
}

type FlowEvents = NodeAPI['events'];
const listenersOf = new WeakMap<FlowEvents, Set<FlowEventsListener>>();

/**
 * Hears `flows:started` and `flows:stopping` through one listener each on RED.events for every
 * callback node, called in the order they subscribed. Two listeners per node would pass Node.js's
 * limit of ten per event with six callback nodes (the examples alone have six), and Node-RED's log
 * would then show a memory-leak warning on every start. Returns the unsubscribe.
 */
export function onFlowEvents(events: FlowEvents, listener: FlowEventsListener): () => void {
  let listeners = listenersOf.get(events);
  if (!listeners) {
    const all = new Set<FlowEventsListener>();
    listeners = all;
    listenersOf.set(events, all);
    events.on('flows:started', () => {
      for (const each of [...all]) each.started?.();
    });
    events.on('flows:stopping', (event: DeployEvent) => {
      for (const each of [...all]) each.stopping?.(event);
    });
  }
  // A wrapper of its own, so that one listener object subscribed twice is heard twice, as with `on`.
  const entry: FlowEventsListener = { ...listener };
  listeners.add(entry);
  return () => {
    listeners.delete(entry);
  };
}

export interface DeployWatch {
  /** True from the moment a deploy that touches the node or what it is wired to begins until the flows run again. */
  readonly restarting: boolean;
  /**
   * Runs `send`, which sends a message to the wired nodes, and resolves once Node-RED has handed it
   * over (on the next turn of the event loop): true, or false when a deploy stopped them in between
   * (the message is then gone). A deploy that stops only the sender does not count: what it sent
   * just before still reaches the running nodes, and asking for a retry then would deliver it twice.
   */
  handedOver(send: () => void): Promise<boolean>;
  stop(): void;
}

/**
 * Starts in the `restarting` state: a node is created while its flows start, and the nodes it is
 * wired to may not exist yet until Node-RED says the flows started.
 */
export function watchDeploys(RED: NodeAPI, ownId: string, wiredTo: readonly string[]): DeployWatch {
  let restarting = true;
  // Counts the deploys that stopped a node the watched node is wired to.
  let epoch = 0;
  const onStopping = (event: DeployEvent): void => {
    const stopped = stoppedIds(event);
    const downstream = stopped === null || wiredTo.some((id) => stopped.has(id));
    if (downstream || stopped.has(ownId)) restarting = true;
    if (downstream) epoch += 1;
  };
  const onStarted = (): void => {
    restarting = false;
  };
  const unsubscribe = onFlowEvents(RED.events, { stopping: onStopping, started: onStarted });
  return {
    get restarting() {
      return restarting;
    },
    handedOver(send) {
      const before = epoch;
      send();
      return new Promise((resolve) => setImmediate(() => resolve(epoch === before)));
    },
    stop() {
      unsubscribe();
    },
  };
}

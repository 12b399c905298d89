// Which nodes can tell that the flow is done with a delivery: a journaled delivery stays
// unfinished until a `fetch artifacts` node has handled all of it or a `meeting done` node has
// seen it. Where neither can be reached from an output, handing the message over is all the
// flow will ever say, and that is when the delivery counts as finished.
//
// Messages go along wires, from a `link out` to its `link in` nodes (and from a `link call` to
// the flow it calls), and into subflows and out of them again.

/** The part of a node's flow configuration that says where its messages go. */
export interface FlowNode {
  readonly id: string;
  readonly type: string;
  readonly z?: string;
  readonly d?: boolean;
  readonly wires?: readonly (readonly string[])[];
  /** `link out` and `link call`: the `link in` nodes they send to. */
  readonly links?: readonly string[];
  /** A subflow definition: where its input and outputs are wired inside it. */
  readonly in?: readonly { readonly wires?: readonly { readonly id: string }[] }[];
  readonly out?: readonly { readonly wires?: readonly { readonly id: string; readonly port?: number }[] }[];
}

export const FINISHER_TYPES: ReadonlySet<string> = new Set(['meetingbaas-artifacts', 'meetingbaas-done']);

interface FlowGraph {
  readonly byId: ReadonlyMap<string, FlowNode>;
  readonly start: FlowNode;
  nextOf(node: FlowNode): string[];
}

function flowGraph(nodes: readonly FlowNode[], startId: string): FlowGraph | null {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const start = byId.get(startId);
  if (!start) return null;
  const instancesOf = new Map<string, FlowNode[]>();
  for (const node of nodes) {
    if (!node.type.startsWith('subflow:')) continue;
    const subflowId = node.type.slice('subflow:'.length);
    instancesOf.set(subflowId, [...(instancesOf.get(subflowId) ?? []), node]);
  }
  /** Inside a subflow: which of its outputs a node's port is wired to. */
  const subflowExits = new Map<string, number[]>();
  for (const node of nodes) {
    if (node.type !== 'subflow') continue;
    (node.out ?? []).forEach((exit, index) => {
      for (const wire of exit.wires ?? []) {
        const key = `${wire.id}:${wire.port ?? 0}`;
        subflowExits.set(key, [...(subflowExits.get(key) ?? []), index]);
      }
    });
  }

  const nextOf = (node: FlowNode): string[] => {
    const next: string[] = [];
    (node.wires ?? []).forEach((port, portIndex) => {
      next.push(...port);
      if (node.z === undefined) return;
      for (const exit of subflowExits.get(`${node.id}:${portIndex}`) ?? []) {
        for (const instance of instancesOf.get(node.z) ?? []) next.push(...(instance.wires?.[exit] ?? []));
      }
    });
    if (node.type === 'link out' || node.type === 'link call') next.push(...(node.links ?? []));
    if (node.type.startsWith('subflow:')) {
      const definition = byId.get(node.type.slice('subflow:'.length));
      for (const entry of definition?.in ?? []) next.push(...(entry.wires ?? []).map((w) => w.id));
    }
    return next;
  };

  return { byId, start, nextOf };
}

/** Every enabled node a message from `first` can reach, in the order they are found. */
function* reached(graph: FlowGraph, first: readonly string[]): Generator<FlowNode> {
  const seen = new Set<string>();
  const queue = [...first];
  while (queue.length > 0) {
    const id = queue.pop();
    if (id === undefined || seen.has(id)) continue;
    seen.add(id);
    const node = graph.byId.get(id);
    if (!node || node.d === true) continue;
    yield node;
    queue.push(...graph.nextOf(node));
  }
}

/**
 * For each output of `startId`, whether a finishing node can be reached from it. Subflow
 * instances are not told apart (a subflow reached through one instance leaves by every
 * instance's outputs), which can only make a finisher look reachable when it is not: the
 * delivery then waits for a finisher that never comes, is sent again after a restart, and is
 * parked after the attempts run out; never lost.
 */
export function finishersByOutput(nodes: readonly FlowNode[], startId: string): boolean[] {
  const graph = flowGraph(nodes, startId);
  if (!graph) return [];
  return (graph.start.wires ?? []).map((port) => {
    for (const node of reached(graph, port)) if (FINISHER_TYPES.has(node.type)) return true;
    return false;
  });
}

/** The ids of the nodes a message from any output of `startId` can reach: those a deploy must not stop under it. */
export function downstreamOf(nodes: readonly FlowNode[], startId: string): Set<string> {
  const graph = flowGraph(nodes, startId);
  const ids = new Set<string>();
  if (!graph) return ids;
  for (const node of reached(graph, (graph.start.wires ?? []).flat())) ids.add(node.id);
  return ids;
}

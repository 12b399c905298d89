// How the nodes word what the API client reports. The client gives kinds and problem codes with
// their values; each node's locale holds the sentences (`apiProblems.<code>`), and each node says
// which of its keys a problem takes, so that every key a node uses can be found in its own code.
import type { ApiError, ApiProblem } from '../../lib/api';

/** A node's `RED._`, with its own namespace already in front of the key. */
export type Translate = (key: string, vars?: Record<string, string | number>) => string;

/** One problem of the API client in the node's words. */
export type SayApiProblem = (problem: ApiProblem) => string;

/** What exactly an API call ran into: what the API said, else the client's own problems. */
export function apiDetail(say: SayApiProblem, error: ApiError): string {
  return error.apiMessage ?? error.problems.map(say).join('; ');
}

/** An API error for the log: `GET /v2/bots: auth (HTTP 401): what was said`. */
export function apiErrorText(say: SayApiProblem, error: ApiError): string {
  const status = error.statusCode !== undefined ? ` (HTTP ${error.statusCode})` : '';
  const detail = apiDetail(say, error);
  return `${error.operation}: ${error.kind}${status}${detail ? `: ${detail}` : ''}`;
}

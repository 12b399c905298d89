// Schema errors of a request we were about to send, as problems a flow builder can act on.
import type { ErrorObject } from 'ajv';
import { problem, problemCode } from '../problem';
import { readableErrors } from '../schemas/documented';
import type { ApiProblem } from './errors';

/** `extra.customer` must be …; an unknown option is named (AJV alone only says "additional properties"). */
export function requestProblems(errors: readonly ErrorObject[]): ApiProblem[] {
  const problems: ApiProblem[] = [];
  const rest: ErrorObject[] = [];
  for (const error of errors) {
    if (error.keyword === 'additionalProperties') {
      const parent = error.instancePath.slice(1).split('/').filter(Boolean).join('.');
      const name = String(error.params.additionalProperty);
      problems.push(problem('unknown-option', { field: `${parent ? `${parent}.` : ''}${name}` }));
    } else {
      rest.push(error);
    }
  }
  // The alternatives of an anyOf ("must be null") repeat what the real problem already says.
  const readable = readableErrors(rest).filter((e) => !(e.message === 'must be null' && rest.length > 1));
  for (const { field, message } of readable) {
    problems.push(field === '(delivery)' ? problem('request', { message }) : problem('field', { field, message }));
  }
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = problemCode(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

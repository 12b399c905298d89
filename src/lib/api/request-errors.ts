// Schema errors of a request we were about to send, said the way a flow builder can fix them.
import type { ErrorObject } from 'ajv';
import { readableErrors } from '../delivery/validation';

/** `extra.customer` must be …; an unknown option is named (AJV alone only says "additional properties"). */
export function requestProblems(errors: readonly ErrorObject[]): string[] {
  const problems: string[] = [];
  const rest: ErrorObject[] = [];
  for (const error of errors) {
    if (error.keyword === 'additionalProperties') {
      const parent = error.instancePath.slice(1).split('/').filter(Boolean).join('.');
      const name = String(error.params.additionalProperty);
      problems.push(`${parent ? `${parent}.` : ''}${name} is not a Meeting BaaS option (misspelt?)`);
    } else {
      rest.push(error);
    }
  }
  // The alternatives of an anyOf ("must be null") repeat what the real problem already says.
  const readable = readableErrors(rest).filter((e) => !(e.message === 'must be null' && rest.length > 1));
  for (const { field, message } of readable) {
    problems.push(`${field === '(delivery)' ? 'the request' : field} ${message}`);
  }
  return [...new Set(problems)];
}

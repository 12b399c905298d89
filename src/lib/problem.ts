// How the library tells a node what is wrong: a code, and the values a sentence about it needs.
// The sentences themselves are the nodes' (their locales), so that they can be translated and
// worded for where they are shown; nothing under lib/ words a problem for a person.

export type ProblemParams = { readonly [name: string]: string | number };

export interface Problem<C extends string = string> {
  readonly code: C;
  readonly params: ProblemParams;
}

export function problem<C extends string>(code: C, params: ProblemParams = {}): Problem<C> {
  return { code, params };
}

/** For logs and Error messages, not for people: `code(name=value, …)`. */
export function problemCode({ code, params }: Problem): string {
  const values = Object.entries(params).map(([name, value]) => `${name}=${String(value)}`);
  return values.length > 0 ? `${code}(${values.join(', ')})` : code;
}

// What several editors do with the browser's page: escaping for RED.notify (which takes HTML),
// and reading the runtime's answers tolerantly.

/** `text` as HTML that shows it as it is. */
export function escaped(text: string): string {
  return $('<span>').text(text).html();
}

/** A string or number of an answer as text; anything else as ''. */
export function textOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** The credentials of a config node as the editor has them, if it has them at all. */
export function credentialsOf(node: EditorNode | null | undefined): Readonly<Record<string, unknown>> {
  const credentials = node?.credentials;
  return typeof credentials === 'object' && credentials !== null ? { ...credentials } : {};
}

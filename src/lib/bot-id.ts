// What a bot id is, wherever one is checked: before it goes into an API path, into a file name,
// or is taken from a message. Kept to the pattern `bot_id` has in the Meeting BaaS v2 schemas (a
// UUID of versions 1 to 8, or the nil and max UUIDs), so that nothing the API would refuse passes.
export const BOT_ID = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;

export function isBotId(value: unknown): value is string {
  return typeof value === 'string' && BOT_ID.test(value);
}

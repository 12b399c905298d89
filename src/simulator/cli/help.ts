import { DEFAULT_FAILURE } from '../deliveries';
import { DEMO_API_KEY, DEMO_ARTIFACT_BASE_URL, DEMO_CALLBACK_SECRET, DEMO_CALLBACK_URL } from '../demo';

export const COMMAND = 'meetingbaas-simulator';

export const HELP = `Plays Meeting BaaS deliveries against a Node-RED "callback in" node, and serves the
sample recording they link to and a stand-in of the Meeting BaaS API. Nothing leaves this machine.

Usage: ${COMMAND} <event> [options]
       ${COMMAND} --serve [options]       serve only, send nothing
  In the Node-RED user directory where the package is installed (e.g. ~/.node-red):
  npx ${COMMAND} …   In a clone of the package: npm run simulate -- …

Events
  completed   bot.completed with signed links to a sample meeting's audio, transcript,
              diarization and chat, served by --serve (or by npm start in a clone)
  expired     the same bot.completed with links that expired already (like completed
              --expired): "fetch artifacts" then asks the API for fresh ones
  failed      bot.failed with an error code and message (default ${DEFAULT_FAILURE})
  status      bot.status_change (account webhooks only; default in_call_recording)
  invalid     a bot.completed that breaks the schema the way the documentation's example
              does (placeholder bot id, no sent_at): authentic, so it goes to the "invalid" output

Where to send
  --url URL              the callback URL the node's edit dialog shows; repeat it to send the
                         same delivery to several (default ${DEMO_CALLBACK_URL},
                         the path of the example "Receive and route callbacks").
                         http://user:password@host/… sends them as basic authentication
                         (a Node-RED with httpNodeAuth); the password is never printed
  --method POST|PUT      as set in callback_config (default POST)

How it is authenticated (default: x-mb-secret with the npm start demo's secret,
"${DEMO_CALLBACK_SECRET}")
  --secret S             per-bot callback: S in the x-mb-secret header, the "Callback secret"
                         of the node's Meeting BaaS account
  --webhook-secret W     account webhook: Svix signature headers made with W ("whsec_…"),
                         the account's "Webhook secret"
  --unsigned             no credentials (accepted only while the account has no secret)
  The environment variables MEETINGBAAS_CALLBACK_SECRET and MEETINGBAAS_WEBHOOK_SECRET work
  like --secret and --webhook-secret and keep the secret out of your shell history.
  Secrets are never printed in full.

What it contains
  --bot-id UUID          bot id (default: a new one each time)
  --code CODE            failed: the error code, e.g. INSUFFICIENT_TOKENS, CANNOT_JOIN_MEETING
                         status: the status code, e.g. joining_call, in_waiting_room, call_ended
  --message TEXT         failed: the error message (default: one matching the code)
  --expired              completed: links that expired already (the same as the event expired)
  --artifacts URL        where the links point and --serve listens
                         (default ${DEMO_ARTIFACT_BASE_URL}, where npm start serves them too)

Serving
  --serve                after sending, keep serving on 127.0.0.1 until Ctrl-C:
                         the files the links point at (they expire after 4 hours, as real
                         ones do) and the API stand-in: GET /v2/bots/{bot_id} with fresh links,
                         POST /v2/bots (its bots call back when their short meeting ends), …
                         For "fetch artifacts" to refresh expired links, or "meeting bot" to
                         send bots, set in the Meeting BaaS account:
                           API URL  ${DEMO_ARTIFACT_BASE_URL} (or the --artifacts URL)
                           API key  ${DEMO_API_KEY}

Other
  --quiet                print only the answers
  -h, --help             this text

Examples
  cd ~/.node-red
  npx ${COMMAND} completed --url http://127.0.0.1:1880/meetingbaas/callback --secret <callback secret> --serve
  npx ${COMMAND} expired --url http://127.0.0.1:1880/meetingbaas/download --unsigned --serve
  npx ${COMMAND} failed --code INSUFFICIENT_TOKENS --url http://127.0.0.1:1880/meetingbaas/alerts
  MEETINGBAAS_WEBHOOK_SECRET=whsec_… npx ${COMMAND} status --url http://127.0.0.1:1880/my/hook

Exit status: 0 when every URL answered 2xx, 1 otherwise, 2 for a usage error.`;

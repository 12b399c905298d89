// The fixed settings `npm start` and the `meetingbaas-simulator` command share, so that a
// delivery the one sends is accepted by the flow the other deployed. Public on purpose: they
// protect nothing but a demo bound to 127.0.0.1; a real account has its own secrets.

export const DEMO_NODE_RED_PORT = 1880;
export const DEMO_ARTIFACT_PORT = 1881;
export const DEMO_CALLBACK_PATH = '/meetingbaas/callback';
export const DEMO_CALLBACK_URL = `http://127.0.0.1:${DEMO_NODE_RED_PORT}${DEMO_CALLBACK_PATH}`;
export const DEMO_ARTIFACT_BASE_URL = `http://127.0.0.1:${DEMO_ARTIFACT_PORT}`;

/** `callback_config.secret` of the demo bots, sent as `x-mb-secret`. */
export const DEMO_CALLBACK_SECRET = 'simulator-callback-secret';
/** The demo account's webhook signing secret (base64 of "meeting-baas-demo-signer"). */
export const DEMO_WEBHOOK_SECRET = `whsec_${Buffer.from('meeting-baas-demo-signer').toString('base64')}`;
/** What the simulator's `GET /v2/bots/{id}` expects in `x-meeting-baas-api-key`. */
export const DEMO_API_KEY = 'simulator-api-key';

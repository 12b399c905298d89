// The offline Meeting BaaS simulator: sample deliveries, their signatures, and a local server
// for the artifacts they point at. Used by `npm start`, the `meetingbaas-simulator` command
// and the tests.
export * from './artifact-links';
export * from './artifact-server';
export { BotApi, LIST_LIMITS, type BotApiOptions, type EndedBotOptions, type InjectedFault, type SentCallback, type SimulatedBot } from './bot-api';
export * from './deliveries';
export * from './demo';
export * from './meeting';
export * from './sender';
export * from './signing';

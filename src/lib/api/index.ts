// The Meeting BaaS v2 bot API client (no Node-RED in here).
export * from './answers';
export * from './client';
export * from './errors';
export * from './loopback';
export * from './operations';
export * from './origin';
export * from './retry-count';
export * from './retry-policy';
export { queryValuesOf, type QueryValue, type QueryValues } from './requests';

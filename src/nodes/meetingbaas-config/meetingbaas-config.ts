// "Meeting BaaS account": where the API is and the secrets the other nodes use. Holds no state.
import type { NodeAPI, NodeDef } from 'node-red';
import { ACCOUNT_TYPE, DEFAULT_REDIS_PREFIX, normaliseBaseUrl, type AccountCredentials, type AccountNode } from '../shared/account';
import { publicBase } from '../shared/urls';
import { registerKeyTestRoute } from './test-key';

interface AccountDef extends NodeDef {
  baseUrl?: string;
  publicUrl?: string;
  redisUrl?: string;
  redisPrefix?: string;
}

export = (RED: NodeAPI): void => {
  function MeetingBaasAccount(this: AccountNode, def: AccountDef): void {
    RED.nodes.createNode(this, def);
    this.baseUrl = normaliseBaseUrl(def.baseUrl);
    this.publicUrl = publicBase(def.publicUrl);
    this.redisUrl = (def.redisUrl ?? '').trim();
    // An empty prefix is allowed (a Redis of its own); only an absent one takes the default.
    this.redisPrefix = def.redisPrefix ?? DEFAULT_REDIS_PREFIX;
  }
  RED.nodes.registerType<AccountNode, AccountDef, object, AccountCredentials>(ACCOUNT_TYPE, MeetingBaasAccount, {
    credentials: {
      apiKey: { type: 'password' },
      callbackSecret: { type: 'password' },
      webhookSecret: { type: 'password' },
      redisPassword: { type: 'password' },
    },
  });
  registerKeyTestRoute(RED);
};

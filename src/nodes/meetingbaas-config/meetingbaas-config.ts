// "Meeting BaaS account": where the API is and the secrets the other nodes use. Holds no state.
import type { NodeAPI, NodeDef } from 'node-red';
import { ACCOUNT_TYPE, normaliseBaseUrl, type AccountCredentials, type AccountNode } from './account';
import { registerKeyTestRoute } from './test-key';

interface AccountDef extends NodeDef {
  baseUrl?: string;
  publicUrl?: string;
}

export = (RED: NodeAPI): void => {
  function MeetingBaasAccount(this: AccountNode, def: AccountDef): void {
    RED.nodes.createNode(this, def);
    this.baseUrl = normaliseBaseUrl(def.baseUrl);
    this.publicUrl = (def.publicUrl ?? '').trim().replace(/\/+$/, '');
  }
  RED.nodes.registerType<AccountNode, AccountDef, object, AccountCredentials>(ACCOUNT_TYPE, MeetingBaasAccount, {
    credentials: {
      apiKey: { type: 'password' },
      callbackSecret: { type: 'password' },
      webhookSecret: { type: 'password' },
    },
  });
  registerKeyTestRoute(RED);
};

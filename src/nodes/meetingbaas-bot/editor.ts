// The editor of "meeting bot" (bundled into meetingbaas-bot.html by the build). The actions, their
// groups and what each one reads come from the node's own table, as the runtime reads them.
import { ACTION_GROUPS, ACTION_TRAITS, MAX_PAGES_LIMIT, type ActionTraits } from './actions';
import { isPlainHttpElsewhere } from '../../lib/api/loopback';
import { isBlankSetting, retryCountOf, RETRY_COUNT } from '../../lib/api/retry-count';
import { BOT_DEFAULTS, CALLBACK_TYPE } from '../shared/defaults';
import { callbackUrl, findCallbackSettings, publicBase } from '../shared/urls';

interface BotSettings {
  name: string;
  account: string;
  action: string;
  callback: string;
  meetingUrl: string;
  meetingUrlType: string;
  botName: string;
  botNameType: string;
  recordingMode: string;
  transcription: boolean;
  pages: string;
  maxPages: number;
  retries: number;
}

const TYPED_INPUT_TYPES = ['msg', 'flow', 'global', 'str', 'env', 'jsonata'] as const;

/** The traits of an action; those of the first (create) for one this version does not know. */
function traitsOf(action: unknown): ActionTraits {
  const traits = ACTION_TRAITS.find((candidate) => candidate.action === action) ?? ACTION_TRAITS[0];
  if (!traits) throw new Error('the operations table is empty');
  return traits;
}

const eachNode = (visit: (node: EditorNode) => void): void => RED.nodes.eachNode(visit);

/** Where Meeting BaaS would call back the callback node picked, as the runtime will build it. */
function callbackTarget(accountId: unknown, callbackId: unknown): { base: string; text: string } | null {
  const callback = typeof callbackId === 'string' && callbackId !== '' ? findCallbackSettings(eachNode, callbackId) : null;
  if (!callback) return null;
  const account = typeof accountId === 'string' && accountId !== '' ? RED.nodes.node(accountId) : null;
  const publicUrl = account?.publicUrl;
  return { base: publicBase(publicUrl), text: `${callback.method} ${callbackUrl(publicUrl, RED.settings.httpNodeRoot, callback.url)}` };
}

RED.nodes.registerType<BotSettings>('meetingbaas-bot', {
  category: 'Meeting BaaS',
  color: '#C7E9C0',
  defaults: {
    name: { value: '' },
    account: { value: '', type: 'meetingbaas-config', required: true },
    action: { value: BOT_DEFAULTS.action },
    callback: { value: '' },
    meetingUrl: { value: BOT_DEFAULTS.meetingUrl },
    meetingUrlType: { value: BOT_DEFAULTS.meetingUrlType },
    botName: { value: BOT_DEFAULTS.botName },
    botNameType: { value: BOT_DEFAULTS.botNameType },
    recordingMode: { value: BOT_DEFAULTS.recordingMode },
    transcription: { value: BOT_DEFAULTS.transcription },
    pages: { value: BOT_DEFAULTS.pages },
    maxPages: { value: BOT_DEFAULTS.maxPages, validate: RED.validators.number(true) },
    // As the runtime reads it: blank is the default, anything but a whole number in range is refused.
    retries: { value: BOT_DEFAULTS.retries, validate: (value: unknown) => isBlankSetting(value) || retryCountOf(value) !== null },
  },
  inputs: 1,
  outputs: 1,
  icon: 'meetingbaas-bot.svg',
  paletteLabel: function () {
    return this._('meetingbaas-bot.paletteLabel');
  },
  label: function () {
    return this.name || this._(`meetingbaas-bot.action.${this.action || BOT_DEFAULTS.action}`);
  },
  labelStyle: function () {
    return this.name ? 'node_label_italic' : '';
  },
  oneditprepare: function () {
    const node = this;
    const $action = $('#node-input-action');
    for (const group of ACTION_GROUPS) {
      const $group = $('<optgroup>').attr('label', node._(`meetingbaas-bot.group.${group}`)).appendTo($action);
      for (const traits of ACTION_TRAITS) {
        if (traits.group === group) $('<option>').val(traits.action).text(node._(`meetingbaas-bot.action.${traits.action}`)).appendTo($group);
      }
    }
    $action.val(traitsOf(node.action || BOT_DEFAULTS.action).action);
    $('#node-input-maxPages').spinner({ min: 1, max: MAX_PAGES_LIMIT });
    $('#node-input-retries').spinner({ min: 0, max: RETRY_COUNT.max });

    $('#node-input-meetingUrl').typedInput({ default: 'msg', typeField: '#node-input-meetingUrlType', types: TYPED_INPUT_TYPES });
    $('#node-input-botName').typedInput({ default: 'msg', typeField: '#node-input-botNameType', types: TYPED_INPUT_TYPES });

    const $callback = $('#node-input-callback');
    $('<option>').val('').text(node._('meetingbaas-bot.label.noCallback')).appendTo($callback);
    RED.nodes.eachNode((candidate) => {
      if (candidate.type !== CALLBACK_TYPE) return;
      const tab = candidate.z ? RED.nodes.workspace(candidate.z) : undefined;
      const name = [candidate.name, candidate.url, candidate.id].find((value) => typeof value === 'string' && value !== '');
      const text = `${String(name)}${typeof tab?.label === 'string' ? ` (${tab.label})` : ''}`;
      $('<option>').val(candidate.id).text(text).appendTo($callback);
    });
    $callback.val(node.callback || '');

    const refresh = (): void => {
      const traits = traitsOf($action.val());
      $('.meetingbaas-bot-create').toggle(traits.sendsBot);
      $('.meetingbaas-bot-paged').toggle(traits.paged);
      $('.meetingbaas-bot-by-id').toggle(traits.botId === 'message');
      $('.meetingbaas-bot-by-payload-id').toggle(traits.botId === 'payload');
      const target = callbackTarget($('#node-input-account').val(), $callback.val());
      $('#meetingbaas-bot-callback-url-row').toggle(traits.sendsBot && target !== null);
      $('#meetingbaas-bot-no-public-url').toggle(traits.sendsBot && target !== null && !target.base);
      $('#meetingbaas-bot-insecure-public-url').toggle(traits.sendsBot && target !== null && isPlainHttpElsewhere(target.base));
      $('#meetingbaas-bot-callback-url').text(target ? target.text : '');
    };
    $('#node-input-action, #node-input-callback, #node-input-account').on('change', refresh);
    refresh();
  },
});

// The editor of "fetch artifacts" (bundled into meetingbaas-artifacts.html by the build).
import { ARTIFACT_FIELDS } from '../../lib/artifacts/names';
import { ARTIFACTS_DEFAULTS } from '../shared/defaults';
import { credentialsOf } from '../shared/editor-helpers';

interface ArtifactsSettings {
  name: string;
  account: string;
  artifacts: readonly string[];
  mode: string;
  directory: string;
  template: string;
  output: string;
  subtitles: string;
  maxMessageMB: number;
  maxFileMB: number;
  hosts: string;
  concurrency: number;
  retries: number;
  stallSeconds: number;
  allowLocal: boolean;
}

const OUTPUTS = ['artifacts', 'skipped'] as const;

/** Without an API key, expired links cannot be renewed: the dialog says so. */
function accountHasApiKey(accountId: unknown): boolean {
  const account = typeof accountId === 'string' && accountId !== '' ? RED.nodes.node(accountId) : null;
  if (!account) return false;
  const credentials = credentialsOf(account);
  return Boolean(credentials.has_apiKey || credentials.apiKey);
}

RED.nodes.registerType<ArtifactsSettings>('meetingbaas-artifacts', {
  category: 'Meeting BaaS',
  color: '#C7E9C0',
  defaults: {
    name: { value: '' },
    account: { value: '', type: 'meetingbaas-config', required: false },
    artifacts: { value: [...ARTIFACTS_DEFAULTS.artifacts] },
    mode: { value: ARTIFACTS_DEFAULTS.mode },
    directory: { value: ARTIFACTS_DEFAULTS.directory },
    template: { value: ARTIFACTS_DEFAULTS.template },
    output: { value: ARTIFACTS_DEFAULTS.output },
    subtitles: { value: ARTIFACTS_DEFAULTS.subtitles },
    maxMessageMB: { value: ARTIFACTS_DEFAULTS.maxMessageMB, validate: RED.validators.number(true) },
    maxFileMB: { value: ARTIFACTS_DEFAULTS.maxFileMB, validate: RED.validators.number(true) },
    hosts: { value: ARTIFACTS_DEFAULTS.hosts },
    concurrency: { value: ARTIFACTS_DEFAULTS.concurrency, validate: RED.validators.number(true) },
    retries: { value: ARTIFACTS_DEFAULTS.retries, validate: RED.validators.number(true) },
    stallSeconds: { value: ARTIFACTS_DEFAULTS.stallSeconds, validate: RED.validators.number(true) },
    allowLocal: { value: ARTIFACTS_DEFAULTS.allowLocal },
  },
  inputs: 1,
  outputs: 2,
  icon: 'meetingbaas-artifacts.svg',
  paletteLabel: function () {
    return this._('meetingbaas-artifacts.paletteLabel');
  },
  outputLabels: function (index) {
    return this._(`meetingbaas-artifacts.outputs.${OUTPUTS[index] ?? OUTPUTS[0]}`);
  },
  label: function () {
    return this.name || this._('meetingbaas-artifacts.paletteLabel');
  },
  labelStyle: function () {
    return this.name ? 'node_label_italic' : '';
  },
  oneditprepare: function () {
    const node = this;
    const chosen: readonly string[] = Array.isArray(node.artifacts) ? node.artifacts : ARTIFACT_FIELDS;
    const $list = $('#meetingbaas-artifacts-list');
    for (const name of ARTIFACT_FIELDS) {
      const $label = $('<label style="display: inline-block; width: auto; margin-right: 12px">');
      $('<input type="checkbox" style="width: auto; margin: 0 4px 0 0">').val(name).prop('checked', chosen.includes(name)).appendTo($label);
      $('<span>').text(node._(`meetingbaas-artifacts.artifact.${name}`)).appendTo($label);
      $label.appendTo($list);
    }
    const refresh = (): void => {
      const file = $('#node-input-mode').val() === 'file';
      $('.meetingbaas-artifacts-file').toggle(file);
      $('.meetingbaas-artifacts-message').toggle(!file);
      $('#meetingbaas-artifacts-no-key').toggle(!accountHasApiKey($('#node-input-account').val()));
    };
    $('#node-input-mode').on('change', refresh);
    $('#node-input-account').on('change', refresh);
    refresh();
  },
  oneditsave: function () {
    const checked = new Set($('#meetingbaas-artifacts-list input:checked').toArray().map((input) => $(input).val()));
    this.artifacts = ARTIFACT_FIELDS.filter((name) => checked.has(name));
  },
});

// The editor of "meeting done" (bundled into meetingbaas-done.html by the build).

interface DoneSettings {
  name: string;
}

RED.nodes.registerType<DoneSettings>('meetingbaas-done', {
  category: 'Meeting BaaS',
  color: '#C7E9C0',
  defaults: {
    name: { value: '' },
  },
  inputs: 1,
  outputs: 1,
  icon: 'meetingbaas-done.svg',
  align: 'right',
  paletteLabel: function () {
    return this._('meetingbaas-done.paletteLabel');
  },
  label: function () {
    return this.name || this._('meetingbaas-done.paletteLabel');
  },
  labelStyle: function () {
    return this.name ? 'node_label_italic' : '';
  },
});

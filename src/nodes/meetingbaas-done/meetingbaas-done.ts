// "meeting done": tells the callback node that journaled a delivery that the flow is done with
// it, so that it is not sent again after a restart; the message goes on unchanged.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { reportFinished } from '../shared/finishing';

export = (RED: NodeAPI): void => {
  function MeetingBaasDone(this: Node, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    this.on('input', (msg, send, done) => {
      reportFinished(msg);
      send(msg);
      done();
    });
  }

  RED.nodes.registerType('meetingbaas-done', MeetingBaasDone);
};

'use strict';
// Where a callback node listens and how it is called: the one answer the runtime and the editors share.
const assert = require('node:assert/strict');
const { callbackMethod, callbackMethodOf, callbackUrl, findCallbackSettings, nodePath, pathProblem, publicBase, routePath } = require('../../../nodes/shared/urls');
const { editorDefinition, editorNode } = require('../../support/editor-definition');

describe('callback node addresses (nodes/shared/urls)', function () {
  it('joins httpNodeRoot and the path with single slashes, the path trimmed, / for a root that is not a string', function () {
    assert.equal(routePath(' mb/cb '), '/mb/cb');
    assert.equal(routePath(undefined), '/');
    assert.equal(nodePath('/', '/mb/cb'), '/mb/cb');
    assert.equal(nodePath('/red/', 'mb/cb'), '/red/mb/cb');
    assert.equal(nodePath('red', '//mb//cb'), '/red/mb/cb');
    assert.equal(nodePath(undefined, '/mb/cb'), '/mb/cb');
    assert.equal(nodePath(false, '/mb/cb'), '/mb/cb');
  });

  it('takes a path of the characters clients send as they are, without dot segments; says why another is refused', function () {
    for (const path of ['/', '/meetingbaas/callback', 'mb', '/x+y', "/$(a).b!'~", '/a%20b', '/a..b', '/a@b;c=d,e']) assert.equal(pathProblem(path), null, path);
    assert.equal(pathProblem(''), 'missing');
    for (const path of ['/a:b', '/a*', '/cb?x', '/cb#x', '/p|q', '/a b', '/a{b}', '/a%zz', '/caf\u00e9', '/a/../b', '/a/./b', '..', '/a\\b']) {
      assert.equal(pathProblem(path), 'characters', path);
    }
  });

  it('is the rule the callback node\'s editor checks paths by, as at deploy', function () {
    const { validate } = editorDefinition('meetingbaas-callback').defaults.url;
    for (const path of ['/meetingbaas/callback', 'mb', '/', '/x+y', "/$(a).b!'~", '/a%20b', '/a:b', '/a*', '/p|q', '/a/../b', '/a..b', '', ' /mb/cb ']) {
      const verdict = validate.call(editorNode(), path, {});
      assert.equal(verdict, pathProblem(path.trim()) === null ? true : 'meetingbaas-callback.editor.badPath', path);
    }
    // Importing a flow validates nodes whose catalogue the editor has not attached yet.
    assert.equal(validate.call({ id: 'n1' }, '/a b', {}), false);
  });

  it('puts the public base in front, without its trailing slashes', function () {
    assert.equal(publicBase(' https://n.example.com// '), 'https://n.example.com');
    assert.equal(publicBase(undefined), '');
    assert.equal(callbackUrl('https://n.example.com/base/', '/red', '/mb/cb'), 'https://n.example.com/base/red/mb/cb');
    assert.equal(callbackUrl('', '/', 'mb'), '/mb');
  });

  it('sends PUT to a PUT node and POST otherwise; reads the setting in any case, post for anything unknown', function () {
    assert.deepEqual(['put', 'PUT', 'post', 'any', undefined, 42].map(callbackMethod), ['PUT', 'PUT', 'POST', 'POST', 'POST', 'POST']);
    assert.deepEqual(['put', 'ANY', 'post', 'get', undefined].map(callbackMethodOf), ['put', 'any', 'post', 'post', 'post']);
  });

  it('finds a callback node among the flow nodes by id and type, its settings read tolerantly', function () {
    const nodes = [
      { id: 'a', type: 'inject' },
      { id: 'cb', type: 'meetingbaas-callback', url: ' /mb/cb ', method: 'put', account: 'acc' },
      { id: 'old', type: 'meetingbaas-callback' },
    ];
    const eachNode = (visit) => nodes.forEach(visit);
    assert.deepEqual(findCallbackSettings(eachNode, 'cb'), { id: 'cb', url: '/mb/cb', method: 'PUT', account: 'acc' });
    assert.deepEqual(findCallbackSettings(eachNode, 'old'), { id: 'old', url: '', method: 'POST', account: undefined });
    assert.equal(findCallbackSettings(eachNode, 'a'), null);
    assert.equal(findCallbackSettings(eachNode, 'missing'), null);
  });
});

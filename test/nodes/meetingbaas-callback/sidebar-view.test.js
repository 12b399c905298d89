'use strict';
// The pure parts of the "Meeting BaaS" sidebar: states, rows of old and new journal records,
// filters, paging across several journals, and secrets hidden from the editor.
const assert = require('node:assert/strict');
const {
  deliveryState,
  rowOf,
  matches,
  pageOf,
  decodeCursor,
  encodeCursor,
  maskSecrets,
  maskUrl,
  maskText,
  extraMeta,
  MAX_SCAN_PER_NODE,
} = require('../../../nodes/meetingbaas-callback/sidebar-view');
const { payloadView, filterOf } = require('../../../nodes/meetingbaas-callback/sidebar');

function entry(seq, overrides = {}) {
  return {
    seq,
    deliveryId: `d${seq}`,
    receivedAt: 1_700_000_000_000 + seq * 1000,
    verifiedBy: 'secret',
    meta: { event: 'bot.completed', botId: `bot-${seq}`, contentType: 'application/json', output: 0 },
    attempts: 0,
    sentAgain: 0,
    failedInFlow: false,
    lastProblem: null,
    parked: null,
    finishedAt: null,
    ...overrides,
  };
}

/** A journal of `count` entries, seq 1..count, listing like DeliveryJournal.list; counts what was read. */
function journal(node, entries) {
  const sorted = [...entries].sort((a, b) => b.seq - a.seq);
  const j = {
    node,
    read: 0,
    list(limit, before) {
      const out = sorted.filter((e) => e.seq < before).slice(0, limit);
      j.read += out.length;
      return out;
    },
  };
  return j;
}

describe('sidebar view', function () {
  it('says the state of an entry', function () {
    assert.equal(deliveryState(entry(1)), 'in-flow');
    assert.equal(deliveryState(entry(1, { attempts: 2, sentAgain: 2 })), 'sent-again');
    assert.equal(deliveryState(entry(1, { attempts: 1, failedInFlow: true })), 'failed', 'a failure the flow reported is not a sending');
    assert.equal(deliveryState(entry(1, { attempts: 2, sentAgain: 1 })), 'sent-again');
    assert.equal(rowOf('n', entry(1, { attempts: 3, sentAgain: 1, failedInFlow: true })).attempts, 1, 'the row counts sendings');
    assert.equal(deliveryState(entry(1, { parked: 'boom', attempts: 3 })), 'parked');
    assert.equal(deliveryState(entry(1, { parked: 'boom', finishedAt: 5 })), 'finished');
    assert.equal(rowOf('n', entry(1, { verifiedBy: 'api' })).recovered, true);
  });

  it('reads records written before output and extra were kept', function () {
    const row = rowOf('n', entry(1, { meta: { event: 'bot.failed', botId: 'b', contentType: null } }));
    assert.equal(row.output, null);
    assert.equal(row.extra, null);
    assert.equal(row.event, 'bot.failed');
    const withExtra = rowOf('n', entry(1, { meta: { event: 'bot.completed', botId: 'b', output: 0, extra: '{"customer":"acme"}' } }));
    assert.deepEqual(withExtra.extra, { customer: 'acme' });
    assert.equal(rowOf('n', entry(1, { meta: { extra: 'not json' } })).extra, null);
  });

  it('keeps extra small and without secrets', function () {
    assert.equal(extraMeta({ event: 'bot.completed', data: {}, extra: { customer: 'acme', apiToken: 'abc' } }), '{"customer":"acme","apiToken":"[hidden]"}');
    assert.equal(extraMeta({ data: {} }), null);
    assert.equal(extraMeta({ extra: [1] }), null);
    assert.equal(extraMeta({ extra: { big: 'x'.repeat(5000) } }), null);
  });

  it('filters by node, event, state and a search on bot id and extra values', function () {
    const row = rowOf('n1', entry(7, { meta: { event: 'bot.failed', botId: 'ABC-123', output: 1, extra: '{"customer":"Acme Corp","n":{"deep":"Needle"}}' } }));
    assert.ok(matches(row, {}));
    assert.ok(matches(row, { node: 'n1', event: 'bot.failed', state: 'in-flow' }));
    assert.ok(!matches(row, { node: 'n2' }));
    assert.ok(!matches(row, { event: 'bot.completed' }));
    assert.ok(!matches(row, { state: 'parked' }));
    assert.ok(!matches(row, { state: 'recovered' }));
    assert.ok(matches(row, { search: 'abc-1' }));
    assert.ok(matches(row, { search: 'acme' }));
    assert.ok(matches(row, { search: 'needle' }));
    assert.ok(!matches(row, { search: 'zzz' }));
  });

  it('reads a filter from a query, leaving unknown states out', function () {
    assert.deepEqual(filterOf({ node: 'a', state: 'parked', event: 'bot.completed', q: 'x' }), { node: 'a', state: 'parked', event: 'bot.completed', search: 'x' });
    assert.deepEqual(filterOf({ state: 'nonsense', node: '' }), {});
  });

  it('pages through several journals newest first, without repeats or gaps', function () {
    const a = journal('a', Array.from({ length: 120 }, (_, i) => entry(i + 1, { receivedAt: (i + 1) * 10 })));
    const b = journal('b', Array.from({ length: 90 }, (_, i) => entry(i + 1, { receivedAt: (i + 1) * 10 + 5 })));
    const seen = [];
    let cursor = {};
    for (let pages = 0; pages < 20; pages++) {
      const page = pageOf([a, b], {}, 25, cursor);
      assert.ok(page.rows.length <= 25);
      seen.push(...page.rows);
      if (!page.next) break;
      cursor = decodeCursor(page.next);
    }
    assert.equal(seen.length, 210);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].receivedAt >= seen[i].receivedAt, 'newest first');
    assert.equal(new Set(seen.map((r) => `${r.node}:${r.seq}`)).size, 210);
  });

  it('reads only a bounded part of a journal for one page', function () {
    const big = journal('big', Array.from({ length: 20000 }, (_, i) => entry(i + 1)));
    const first = pageOf([big], {}, 50);
    assert.equal(first.rows.length, 50);
    assert.ok(big.read <= 200, `read ${big.read}`);
    big.read = 0;
    const none = pageOf([big], { search: 'nothing matches' }, 50);
    assert.equal(none.rows.length, 0);
    assert.ok(big.read <= MAX_SCAN_PER_NODE + 100, `read ${big.read}`);
    assert.ok(none.next, 'the scan goes on from where it stopped');
    assert.equal(decodeCursor(none.next).big, 20000 - big.read + 1);
  });

  it('filters a page by state', function () {
    const j = journal('a', [entry(1, { parked: 'x' }), entry(2, { finishedAt: 1 }), entry(3), entry(4, { attempts: 1 }), entry(5, { verifiedBy: 'api', finishedAt: 2 })]);
    assert.deepEqual(pageOf([j], { state: 'parked' }, 10).rows.map((r) => r.seq), [1]);
    assert.deepEqual(pageOf([j], { state: 'finished' }, 10).rows.map((r) => r.seq), [5, 2]);
    assert.deepEqual(pageOf([j], { state: 'recovered' }, 10).rows.map((r) => r.seq), [5]);
    assert.equal(pageOf([j], {}, 10).next, null);
  });

  it('refuses cursors it did not write', function () {
    assert.equal(decodeCursor('not-a-cursor'), null);
    assert.equal(decodeCursor(Buffer.from('{"a":"x"}').toString('base64url')), null);
    assert.deepEqual(decodeCursor(encodeCursor({ a: 5 })), { a: 5 });
  });

  it('hides signed query strings, credentials in URLs and secret-looking values', function () {
    const s3 = 'https://bucket.s3.amazonaws.com/video.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2024&X-Amz-Signature=abcdef&response-content-type=video%2Fmp4';
    const masked = maskUrl(s3);
    assert.ok(!masked.includes('abcdef') && !masked.includes('AKIA'), masked);
    assert.match(masked, /X-Amz-Signature=\[hidden\]/);
    assert.match(masked, /response-content-type=video%2Fmp4/);
    assert.ok(!maskUrl('https://user:pw@host/x').includes('pw'));
    assert.equal(maskUrl('https://cdn.example/a.mp4?Signature=zz&Key-Pair-Id=kk&Expires=1').includes('zz'), false);
    assert.equal(maskUrl('https://host/x?token=t0k'), 'https://host/x?token=[hidden]');
    const payload = {
      event: 'bot.completed',
      data: {
        bot_id: '0d6bd9d2-3a4f-4c53-9d39-8a4b5b1f3e11',
        video: s3,
        secret: 'whsec_abc',
        api_key: 'k',
        note: 'Bearer abc.def',
        jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
        extra: { customer: 'acme', password: 'p4ss' },
        list: [{ token: 'x' }],
      },
    };
    const out = JSON.stringify(maskSecrets(payload));
    for (const secret of ['abcdef', 'whsec_abc', '"k"', 'abc.def', 'eyJhbGci', 'p4ss', '"x"']) assert.ok(!out.includes(secret), `${secret} in ${out}`);
    assert.ok(out.includes('0d6bd9d2-3a4f-4c53-9d39-8a4b5b1f3e11') && out.includes('acme'));
    assert.ok(!maskText(`not json ${s3} Bearer tok whsec_zz`).match(/abcdef|tok\b|whsec_zz/));
  });

  it('opens a payload pretty-printed with secrets hidden, and says what is wrong with an invalid one', function () {
    const good = payloadView(entry(1), JSON.stringify({ event: 'bot.failed', data: { bot_id: 'x', token: 'tt' } }));
    assert.equal(good.json, true);
    assert.match(good.payload, /\n {2}"event": "bot.failed"/);
    assert.ok(!good.payload.includes('"tt"'));
    const invalid = payloadView(entry(2, { meta: { event: null, botId: null, contentType: 'application/json', output: 3 } }), JSON.stringify({ data: 5 }));
    assert.ok(invalid.errors.length > 0);
    assert.ok(invalid.errors.every((e) => typeof e === 'string' && e.length > 3), invalid.errors.join('; '));
    const notJson = payloadView(entry(3, { meta: { contentType: 'application/json' } }), 'oops https://h/x?Signature=s3cr3t');
    assert.equal(notJson.json, false);
    assert.ok(!notJson.payload.includes('s3cr3t'));
    assert.ok(notJson.errors.length > 0);
  });
});

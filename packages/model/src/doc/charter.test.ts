import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
  SAMPLE_CHARTER_DRAFT,
  adoptedClauses,
  bindAdoptionPoll,
  bindAmendmentPoll,
  charterOf,
  createCharter,
  decideAmendment,
  mergeClauseWithPrevious,
  proposeAmendment,
  readCharter,
  recordAdoption,
  setClauseStatus,
  setClauseText,
  setCurrentClause,
  splitClauseAt,
  updateCharter,
  updateAmendmentText,
  withdrawAmendment,
  CHARTER_LIMITS,
} from '../index.ts';

/** Two docs wired to each other, like two clients behind a server. */
function pair() {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(b, u, 'remote'));
  b.on('update', (u: Uint8Array, origin: unknown) => origin !== 'remote' && Y.applyUpdate(a, u, 'remote'));
  return { a, b };
}

const alice = { byUserId: 'u-alice', byName: '王阿姨', at: 1 };
const bob = { byUserId: 'u-bob', byName: '李师傅', at: 2 };

describe('the charter in the meeting document', () => {
  it('is absent until a draft comes in, then every client sees the same clauses', () => {
    const { a, b } = pair();
    expect(readCharter(a)).toBeNull();
    expect(createCharter(a, { draft: SAMPLE_CHARTER_DRAFT })).toBe(6);
    const seen = readCharter(b)!;
    expect(seen.title).toBe('公共空间管理规约');
    expect(seen.status).toBe('drafting');
    expect(seen.clauses.map((c) => c.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen.progress).toEqual({ pending: 6, agreed: 0, deferred: 0, deleted: 0 });
  });

  it('lets the host correct the split: merge, split at a point, edit', () => {
    const { a, b } = pair();
    createCharter(a, { title: '规约', draft: '第一条 甲。\n第二条 乙。丙。\n第三条 丁。' });
    const [one, two, three] = readCharter(b)!.clauses;
    const newId = splitClauseAt(b, two!.id, '第二条 乙。'.length)!;
    expect(readCharter(a)!.clauses.map((c) => c.text)).toEqual(['第一条 甲。', '第二条 乙。', '丙。', '第三条 丁。']);
    expect(mergeClauseWithPrevious(a, newId)).toBe(true);
    expect(mergeClauseWithPrevious(a, one!.id)).toBe(false);
    setClauseText(b, three!.id, '第三条 戊。');
    expect(readCharter(a)!.clauses.map((c) => c.text)).toEqual(['第一条 甲。', '第二条 乙。\n丙。', '第三条 戊。']);
    expect(() => setClauseText(a, one!.id, 'x'.repeat(CHARTER_LIMITS.clauseText + 1))).toThrow();
  });

  it('starting records the originals and takes the first clause; drafting again is refused', () => {
    const { a, b } = pair();
    createCharter(a, { draft: SAMPLE_CHARTER_DRAFT });
    updateCharter(a, { status: 'deliberating' });
    const charter = readCharter(b)!;
    expect(charter.current).toBe(charter.clauses[0]!.id);
    expect(charter.clauses.every((c) => c.original === c.text)).toBe(true);
    expect(() => createCharter(b, { draft: '第一条 新' })).toThrow();
    expect(() => updateCharter(a, { status: 'nonsense' as never })).toThrow();
  });

  it('runs amendments: accepted by vote, withdrawn by the proposer only, insertion and deletion', () => {
    const { a, b } = pair();
    createCharter(a, { draft: SAMPLE_CHARTER_DRAFT });
    updateCharter(a, { status: 'deliberating' });
    const clauses = readCharter(a)!.clauses;
    const third = clauses[2]!;
    const replace = proposeAmendment(b, third.id, { ...alice, kind: 'replace', text: '第三条 任何人不得在楼道、消防通道内堆放杂物。' })!;
    const other = proposeAmendment(b, third.id, { ...bob, kind: 'replace', text: '第三条 别的说法。' })!;
    expect(updateAmendmentText(a, third.id, other, alice.byUserId, '第三条 冒名修改。')).toBe(false);
    expect(updateAmendmentText(a, third.id, other, bob.byUserId, '第三条 换个说法。')).toBe(true);
    expect(readCharter(b)!.clauses[2]!.amendments[1]!.text).toBe('第三条 换个说法。');
    expect(() => updateAmendmentText(a, third.id, other, bob.byUserId, ' ')).toThrow();
    expect(withdrawAmendment(a, third.id, other, alice.byUserId)).toBe(false);
    expect(withdrawAmendment(a, third.id, other, bob.byUserId)).toBe(true);
    bindAmendmentPoll(a, third.id, replace, 'poll-1');
    // Bound to a vote: no longer withdrawable, nor changeable.
    expect(withdrawAmendment(b, third.id, replace, alice.byUserId)).toBe(false);
    expect(updateAmendmentText(b, third.id, replace, alice.byUserId, '第三条 改了。')).toBe(false);
    decideAmendment(a, third.id, replace, { outcome: 'accepted', votes: { yes: 3, no: 1, abstain: 0 } });
    let read = readCharter(b)!;
    expect(read.clauses[2]!.text).toBe('第三条 任何人不得在楼道、消防通道内堆放杂物。');
    expect(read.clauses[2]!.original).toBe(third.text);
    expect(read.clauses[2]!.amendments.map((x) => [x.status, x.pollId, x.votes?.yes ?? null])).toEqual([
      ['accepted', 'poll-1', 3],
      ['withdrawn', null, null],
    ]);
    expect(decideAmendment(a, third.id, replace, { outcome: 'rejected' })).toBe(false);

    const insert = proposeAmendment(a, clauses[3]!.id, { ...bob, kind: 'insert', text: '活动室钥匙由楼长保管。' })!;
    decideAmendment(b, clauses[3]!.id, insert, { outcome: 'accepted' });
    const del = proposeAmendment(a, clauses[4]!.id, { ...alice, kind: 'delete', text: '' })!;
    decideAmendment(a, clauses[4]!.id, del, { outcome: 'accepted' });
    read = readCharter(b)!;
    expect(read.clauses.length).toBe(7);
    expect(read.clauses[4]!.text).toBe('活动室钥匙由楼长保管。');
    expect(read.clauses[4]!.fromAmendment).toBe(insert);
    expect(read.clauses[5]!.status).toBe('deleted');
    expect(() => proposeAmendment(a, third.id, { ...alice, kind: 'replace', text: '  ' })).toThrow();
  });

  it('adopts the agreed clauses as a whole, leaving deferred and deleted ones out', () => {
    const { a, b } = pair();
    createCharter(a, { draft: SAMPLE_CHARTER_DRAFT });
    updateCharter(a, { status: 'deliberating' });
    const ids = readCharter(a)!.clauses.map((c) => c.id);
    ids.forEach((id, i) => setClauseStatus(b, id, i === 3 ? 'deferred' : 'agreed'));
    setCurrentClause(a, ids[5]!);
    bindAdoptionPoll(a, 'poll-final');
    expect(readCharter(b)!.status).toBe('adopting');
    recordAdoption(b, { passed: true, votes: { yes: 5, no: 0, abstain: 1 } });
    const read = readCharter(a)!;
    expect(read.status).toBe('adopted');
    expect(read.adoptionPoll).toBe('poll-final');
    expect(read.adoptionVotes).toEqual({ yes: 5, no: 0, abstain: 1 });
    expect(read.progress).toEqual({ pending: 0, agreed: 5, deferred: 1, deleted: 0 });
    expect(adoptedClauses(read).map((c) => c.id)).toEqual(ids.filter((_, i) => i !== 3));
  });

  it('reads a hostile charter tolerantly', () => {
    const doc = new Y.Doc();
    const charter = charterOf(doc);
    const clauses = new Y.Array<unknown>();
    const bad = new Y.Map<unknown>();
    bad.set('id', 'c1');
    bad.set('text', 42);
    bad.set('status', 'whatever');
    bad.set('amendments', 'nope');
    clauses.push([bad, 'not a map', new Y.Map()]);
    doc.transact(() => {
      charter.set('clauses', clauses);
      charter.set('status', 7);
      charter.set('adoptionVotes', { yes: -1 });
      charter.set('current', 'missing');
    });
    expect(readCharter(doc)).toEqual({
      title: '',
      status: 'drafting',
      current: null,
      adoptionPoll: null,
      adoptionVotes: null,
      adoptionPassed: null,
      clauses: [{ id: 'c1', number: 1, text: '', original: '', status: 'pending', fromAmendment: null, amendments: [] }],
      progress: { pending: 1, agreed: 0, deferred: 0, deleted: 0 },
    });
  });
});

import type { AgendaItemJson, FollowUpDto, ParticipantDto, PollDto, RichNode } from '@yishi/model';
import type { MinutesInput } from './types.ts';

/** Scripted meetings for tests and the benchmark (plain JSON, as the server would gather them). */

const t = (text: string, ...marks: string[]): RichNode => (marks.length ? { type: 'text', text, marks: marks.map((type) => ({ type })) } : { type: 'text', text });
const p = (...content: RichNode[]): RichNode => ({ type: 'paragraph', content });
const li = (...content: RichNode[]): RichNode => ({ type: 'listItem', content: [p(...content)] });

function item(id: string, title: string, notes: RichNode[], decision: RichNode[] = [], extra: Partial<AgendaItemJson> = {}): AgendaItemJson {
  return { id, title, presenter: '', minutes: 10, status: 'done', notes, decision, notesText: '', decisionText: '', ...extra };
}

function person(userId: string, name: string, affiliation: ParticipantDto['affiliation'], role: ParticipantDto['role'] = 'participant', present = true): ParticipantDto {
  return { userId, name, affiliation, role, present, eligible: role !== 'observer' };
}

function followUp(id: string, title: string, extra: Partial<FollowUpDto> = {}): FollowUpDto {
  return {
    id,
    communityId: 'c1',
    meetingId: 'm1',
    meetingTitle: '11月楼长有话说',
    agendaItemId: null,
    title,
    ownerAffiliation: 'property',
    ownerUserId: null,
    ownerName: null,
    dueDate: '2025-12-15',
    status: 'open',
    overdue: false,
    createdAt: '2025-11-20T12:00:00.000Z',
    updatedAt: '2025-11-20T12:00:00.000Z',
    notes: [],
    ...extra,
  };
}

const closed = { status: 'closed' as const, receipts: [] };

/** A building-talk meeting with every part of the minutes, including a secret and a named poll. */
export function scriptedMeeting(): MinutesInput {
  return {
    meeting: {
      id: 'm1',
      title: '11月楼长有话说',
      kind: 'building-talk',
      startsAt: '2025-11-20T11:30:00.000Z',
      createdAt: '2025-11-01T02:00:00.000Z',
      location: '社区活动室',
      communityName: '滨湖明珠社区',
      summary: '本次会议议定三项事项。\n物业于12月15日前反馈进展。',
    },
    roster: [
      person('u1', '李书记', 'party', 'host'),
      person('u2', '社工小陈', 'social-work', 'secretary'),
      person('u3', '王楼长', 'resident'),
      person('u4', '张阿姨', 'resident'),
      person('u5', '物业刘经理', 'property'),
      person('u6', '业委会赵主任', 'committee'),
      person('u7', '投影', 'other', 'observer'),
      person('u8', '缺席的孙楼长', 'resident', 'participant', false),
    ],
    doc: {
      schemaVersion: 1,
      kind: 'building-talk',
      focus: null,
      plannedEnd: null,
      totalMinutes: 30,
      items: [
        item('i1', '文明养宠', [
          { type: 'heading', attrs: { level: 2 }, content: [t('居民反映')] },
          { type: 'bulletList', content: [li(t('3栋电梯内')), li(t('遛狗'), t('不牵绳', 'bold'), t('问题突出'))] },
          p(t('物业表示'), t('将加强巡查', 'bold', 'italic'), t('。')),
        ], [{ type: 'orderedList', content: [li(t('张贴文明养宠倡议')), li(t('设立宠物便溺箱'))] }], { presenter: '王楼长', minutes: 15 }),
        item('i2', '规范停车', [p(t('<script>alert(1)</script> **不是粗体** | 1. 不是列表 # 不是标题'))], [p(t('划定临时停车位', 'bold'))], { presenter: '物业刘经理', status: 'discussing' }),
        item('i3', '清理楼道杂物', [], [], { minutes: 5, status: 'pending' }),
      ],
    },
    polls: [
      {
        id: 'p1',
        meetingId: 'm1',
        agendaItemId: 'i2',
        kind: 'motion',
        title: '是否设立临时停车位',
        options: [
          { id: 'yes', label: '赞成' },
          { id: 'no', label: '反对' },
          { id: 'abstain', label: '弃权' },
        ],
        rule: 'two-thirds-cast',
        quorum: 0.5,
        secret: true,
        turnout: { voted: 5, eligible: 5 },
        ...closed,
        // A stray `votes` on a secret result must still never reach the minutes.
        result: { counts: { yes: 4, no: 1, abstain: 0 }, passed: true, quorumMet: true, ballots: 5, eligible: 5, unanimousSmallGroup: false, votes: [{ userId: 'u3', name: '王楼长', choice: 'no' }] },
      },
      {
        id: 'p2',
        meetingId: 'm1',
        kind: 'election',
        title: '选举楼道长',
        options: [
          { id: 'o1', label: '王楼长' },
          { id: 'o2', label: '张阿姨' },
          { id: 'o3', label: '周师傅' },
        ],
        seats: 1,
        secret: false,
        turnout: { voted: 3, eligible: 5 },
        ...closed,
        result: {
          counts: { o1: 2, o2: 1, o3: 0 },
          elected: ['o1'],
          tie: [],
          quorumMet: true,
          ballots: 3,
          eligible: 5,
          unanimousSmallGroup: false,
          votes: [
            { userId: 'u4', name: '张阿姨', choice: ['o1'] },
            { userId: 'u5', name: '物业刘经理', choice: ['o2'] },
            { userId: 'u6', name: '业委会赵主任', choice: ['o1'] },
          ],
        },
      },
      {
        id: 'p3',
        meetingId: 'm1',
        kind: 'ranking',
        title: '微更新项目排序',
        options: [
          { id: 'o1', label: '健身器材' },
          { id: 'o2', label: '充电桩' },
        ],
        secret: true,
        turnout: { voted: 5, eligible: 5 },
        ...closed,
        result: { scores: { o1: 3, o2: 2 }, order: ['o1', 'o2'], quorumMet: true, ballots: 5, eligible: 5, unanimousSmallGroup: false },
      },
      {
        id: 'p4',
        meetingId: 'm1',
        kind: 'choice',
        title: '活动时间',
        options: [
          { id: 'o1', label: '周六上午' },
          { id: 'o2', label: '周日下午' },
        ],
        quorum: 0.9,
        secret: true,
        turnout: { voted: 2, eligible: 5 },
        ...closed,
        result: { counts: { o1: 1, o2: 1 }, quorumMet: false, ballots: 2, eligible: 5, unanimousSmallGroup: false },
      },
      { id: 'p5', meetingId: 'm1', kind: 'motion', title: '草稿表决', options: [], secret: true, status: 'draft', turnout: { voted: 0, eligible: 0 } } satisfies PollDto,
    ],
    followUps: {
      carriedOver: [
        followUp('f0', '更换3栋楼道灯', {
          meetingId: 'm0',
          meetingTitle: '10月楼长有话说',
          status: 'in-progress',
          overdue: true,
          dueDate: '2025-11-01',
          notes: [{ id: 'n1', body: '已采购灯具，下周安装', status: 'in-progress', authorName: '物业刘经理', authorAffiliation: 'property', createdAt: '2025-11-10T16:30:00.000Z' }],
        }),
      ],
      created: [
        followUp('f1', '张贴文明养宠倡议', { ownerAffiliation: 'committee', ownerName: '业委会赵主任' }),
        followUp('f2', '划定临时停车位', { dueDate: null }),
      ],
    },
  };
}

const NOTE = '居民代表反映，小区东门车辆乱停乱放，消防通道多次被占用，物业已安排人员巡查并登记车牌，下一步将与业委会商议划线方案。';

/** A three-hour meeting: 40 items, about 20,000 characters of notes, 10 polls, 60 follow-ups. */
export function longMeeting(): MinutesInput {
  const base = scriptedMeeting();
  const perItem = Math.ceil(20_000 / 40);
  const items = Array.from({ length: 40 }, (_, i) => {
    const paragraphs: RichNode[] = [];
    let length = 0;
    while (length < perItem) {
      paragraphs.push(length % 3 === 0 ? { type: 'bulletList', content: [li(t(NOTE.slice(0, 30), 'bold')), li(t(NOTE.slice(30)))] } : p(t(NOTE), t('（重点）', 'bold')));
      length += NOTE.length;
    }
    return item(`i${i}`, `议题${i + 1}：${NOTE.slice(0, 8)}`, [{ type: 'heading', attrs: { level: 2 }, content: [t('讨论')] }, ...paragraphs], [p(t('议定：由物业牵头落实', 'bold'))]);
  });
  const polls = Array.from({ length: 10 }, (_, i) => ({ ...base.polls[i % 4]!, id: `p${i}`, title: `表决${i + 1}` }));
  const created = Array.from({ length: 60 }, (_, i) => followUp(`f${i}`, `督办事项${i + 1}：${NOTE.slice(0, 20)}`, { ownerName: i % 2 ? '物业刘经理' : null }));
  const roster = Array.from({ length: 40 }, (_, i) => person(`u${i}`, `参会者${i}`, (['party', 'committee', 'property', 'resident', 'social-work'] as const)[i % 5]!, i === 0 ? 'host' : i === 1 ? 'secretary' : 'participant'));
  return { ...base, roster, doc: { ...base.doc!, items }, polls, followUps: { carriedOver: base.followUps.carriedOver, created } };
}

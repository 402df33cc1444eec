import type { Locale } from './locale.ts';

/** Every error the API, the Yjs endpoint and socket.io can answer, with its HTTP status. */
export const ERRORS = {
  invalid_input: 400,
  weak_password: 400,
  invalid_credentials: 401,
  unauthenticated: 401,
  forbidden: 403,
  foreign_origin: 403,
  guest_not_allowed: 403,
  not_found: 404,
  unknown_join_code: 404,
  username_taken: 409,
  meeting_closed: 409,
  meeting_ended: 409,
  polls_open: 409,
  minutes_final: 409,
  invalid_status_change: 409,
  read_only: 403,
  rights_changed: 409,
  last_host: 409,
  payload_too_large: 413,
  too_many_attempts: 429,
  too_many_connections: 429,
  invalid_message: 400,
  internal: 500,
  storage_failed: 503,
  server_busy: 503,
  // Polls (socket.io acks carry the same codes).
  poll_not_open: 409,
  poll_not_draft: 409,
  not_eligible: 403,
  already_voted: 409,
  vote_pending: 409,
  invalid_choice: 400,
  too_many_choices: 400,
  small_group_confirm: 409,
  unanimous_confirm: 409,
  rate_limited: 429,
  // The room (speaker queue).
  queue_full: 409,
  queue_changed: 409,
} as const;
export type ErrorCode = keyof typeof ERRORS | (string & {});

type Messages = Record<keyof typeof ERRORS, string>;

const MESSAGES: Record<Locale, Messages> = {
  'zh-CN': {
    invalid_input: '输入有误，请检查：{fields}',
    weak_password: '密码需要 8 到 256 个字符。',
    invalid_credentials: '用户名或密码不正确。',
    unauthenticated: '请先登录。',
    forbidden: '你没有权限进行这个操作。',
    foreign_origin: '请求来自不被允许的网站，已拒绝。',
    guest_not_allowed: '访客不能进行这个操作，请先注册账号。',
    not_found: '找不到要访问的内容。',
    unknown_join_code: '没有找到这个会议码，请核对后再试。',
    username_taken: '这个用户名已被使用，请换一个。',
    meeting_closed: '这场会议已经结束，不能再加入。',
    meeting_ended: '会议已经结束，不能再这样做。',
    polls_open: '还有 {count} 项表决在进行中。请先结束表决，或选择保留表决继续结束会议。',
    minutes_final: '会议纪要已定稿，不能再修改。如需修改，请主持人重新打开纪要。',
    invalid_status_change: '会议现在不能变更为这个状态。',
    read_only: '你现在不能修改会议记录，刚才的修改没有保存。',
    rights_changed: '你的编辑权限变了，正在重新连接。',
    last_host: '会议至少需要一位主持人，请先指定另一位主持人。',
    payload_too_large: '提交的内容太大了。',
    too_many_attempts: '尝试次数过多，请 {seconds} 秒后再试。',
    too_many_connections: '打开的会议窗口太多了，请关闭一些后再试。',
    invalid_message: '收到无法识别的协作数据，连接已断开，请刷新页面。',
    storage_failed: '暂时无法保存修改；修改已保留在本设备上，恢复后会自动发送。',
    server_busy: '服务器繁忙，稍后会自动重连。',
    internal: '服务器出错了，请稍后再试。',
    poll_not_open: '这项表决现在不在投票中。',
    poll_not_draft: '这项表决已经开始或结束，不能再开启。',
    not_eligible: '你没有这项表决的投票资格。',
    already_voted: '你已经投过票了，每人只能投一次。',
    vote_pending: '你的选票正在登记，请稍候再查看。',
    invalid_choice: '这个选项无效，请重新选择。',
    too_many_choices: '选择的人数超过了应选名额。',
    small_group_confirm: '有投票资格的人少于 5 位，不记名投票难以保密。确定要开始吗？',
    unanimous_confirm: '人数很少且结果一致，公布结果会让每个人的选择被推知。确定要公布吗？',
    rate_limited: '操作太频繁了，请稍后再试。',
    queue_full: '发言排队的人太多了，请稍后再举手。',
    queue_changed: '排队刚刚有变化，请按最新的顺序重新排列。',
  },
  'zh-TW': {
    invalid_input: '輸入有誤，請檢查：{fields}',
    weak_password: '密碼需要 8 到 256 個字元。',
    invalid_credentials: '使用者名稱或密碼不正確。',
    unauthenticated: '請先登入。',
    forbidden: '你沒有權限進行這個操作。',
    foreign_origin: '請求來自不被允許的網站，已拒絕。',
    guest_not_allowed: '訪客不能進行這個操作，請先註冊帳號。',
    not_found: '找不到要存取的內容。',
    unknown_join_code: '沒有找到這個會議碼，請核對後再試。',
    username_taken: '這個使用者名稱已被使用，請換一個。',
    meeting_closed: '這場會議已經結束，不能再加入。',
    meeting_ended: '會議已經結束，不能再這樣做。',
    polls_open: '還有 {count} 項表決在進行中。請先結束表決，或選擇保留表決繼續結束會議。',
    minutes_final: '會議紀要已定稿，不能再修改。如需修改，請主持人重新打開紀要。',
    invalid_status_change: '會議現在不能變更為這個狀態。',
    read_only: '你現在不能修改會議記錄，剛才的修改沒有儲存。',
    rights_changed: '你的編輯權限變了，正在重新連線。',
    last_host: '會議至少需要一位主持人，請先指定另一位主持人。',
    payload_too_large: '提交的內容太大了。',
    too_many_attempts: '嘗試次數過多，請 {seconds} 秒後再試。',
    too_many_connections: '開啟的會議視窗太多了，請關閉一些後再試。',
    invalid_message: '收到無法識別的協作資料，連線已中斷，請重新整理頁面。',
    storage_failed: '暫時無法儲存修改；修改已保留在本裝置上，恢復後會自動送出。',
    server_busy: '伺服器忙碌中，稍後會自動重新連線。',
    internal: '伺服器出錯了，請稍後再試。',
    poll_not_open: '這項表決現在不在投票中。',
    poll_not_draft: '這項表決已經開始或結束，不能再開啟。',
    not_eligible: '你沒有這項表決的投票資格。',
    already_voted: '你已經投過票了，每人只能投一次。',
    vote_pending: '你的選票正在登記，請稍候再查看。',
    invalid_choice: '這個選項無效，請重新選擇。',
    too_many_choices: '選擇的人數超過了應選名額。',
    small_group_confirm: '有投票資格的人少於 5 位，不記名投票難以保密。確定要開始嗎？',
    unanimous_confirm: '人數很少且結果一致，公布結果會讓每個人的選擇被推知。確定要公布嗎？',
    rate_limited: '操作太頻繁了，請稍後再試。',
    queue_full: '發言排隊的人太多了，請稍後再舉手。',
    queue_changed: '排隊剛剛有變化，請按最新的順序重新排列。',
  },
  en: {
    invalid_input: 'Please check: {fields}',
    weak_password: 'The password needs 8 to 256 characters.',
    invalid_credentials: 'Wrong username or password.',
    unauthenticated: 'Please sign in first.',
    forbidden: 'You are not allowed to do this.',
    foreign_origin: 'This request comes from a site that is not allowed.',
    guest_not_allowed: 'Guests cannot do this; please create an account.',
    not_found: 'Not found.',
    unknown_join_code: 'No meeting has this code. Please check it and try again.',
    username_taken: 'This username is taken; please choose another.',
    meeting_closed: 'This meeting has ended and cannot be joined.',
    meeting_ended: 'This meeting has ended; this is no longer possible.',
    polls_open: '{count} poll(s) are still open. Close them first, or choose to keep them open and end the meeting.',
    minutes_final: 'The minutes are final and can no longer be changed. The host can reopen them.',
    invalid_status_change: 'The meeting cannot change to this state now.',
    read_only: 'You cannot change the meeting record now; your last change was not saved.',
    rights_changed: 'Your editing rights changed; reconnecting.',
    last_host: 'A meeting needs at least one host; make someone else host first.',
    payload_too_large: 'What you sent is too large.',
    too_many_attempts: 'Too many attempts. Please try again in {seconds} seconds.',
    too_many_connections: 'Too many meeting windows are open. Close some and try again.',
    invalid_message: 'The live document received data it cannot read and disconnected. Please reload the page.',
    storage_failed: 'Your changes could not be saved just now. They are kept on this device and will be sent again.',
    server_busy: 'The server is busy; it will reconnect by itself shortly.',
    internal: 'Something went wrong on the server. Please try again.',
    poll_not_open: 'This poll is not open for voting.',
    poll_not_draft: 'This poll has already been opened or closed.',
    not_eligible: 'You are not eligible to vote in this poll.',
    already_voted: 'You have already voted; everyone votes once.',
    vote_pending: 'Your ballot is being recorded; please check again in a moment.',
    invalid_choice: 'This choice is not valid; please choose again.',
    too_many_choices: 'You chose more candidates than there are seats.',
    small_group_confirm: 'Fewer than 5 people can vote, so a secret ballot is hard to keep secret. Open it anyway?',
    unanimous_confirm: 'Few voted and all chose the same: publishing reveals everyone\'s choice. Publish anyway?',
    rate_limited: 'Too many requests; please slow down.',
    queue_full: 'The speaker queue is full; please raise your hand again later.',
    queue_changed: 'The queue has just changed; please reorder the current list.',
  },
};

/** Field names as a person reads them, for invalid_input messages. */
const FIELD_LABELS: Record<Locale, Record<string, string>> = {
  'zh-CN': { userId: '参与者', order: '顺序', limitSeconds: '发言时间', attendanceQuorum: '到会人数要求', username: '用户名', password: '密码', name: '姓名', title: '标题', kind: '会议类型', communityId: '社区', startsAt: '时间', location: '地点', code: '会议码', affiliation: '身份', role: '角色', present: '到会', eligible: '表决资格', meetingId: '会议', pollId: '表决', options: '选项', seats: '应选名额', rule: '通过规则', quorum: '法定人数', secret: '不记名', choice: '选择', eligibleAffiliations: '投票身份', agendaItemId: '议程' , ownerAffiliation: '责任方', ownerUserId: '负责人', ownerName: '负责人', dueDate: '期限', status: '状态', body: '内容', summary: '会议小结', locale: '语言', reason: '原因', closePolls: '表决' },
  'zh-TW': { userId: '參與者', order: '順序', limitSeconds: '發言時間', attendanceQuorum: '到會人數要求', username: '使用者名稱', password: '密碼', name: '姓名', title: '標題', kind: '會議類型', communityId: '社區', startsAt: '時間', location: '地點', code: '會議碼', affiliation: '身分', role: '角色', present: '到會', eligible: '表決資格', meetingId: '會議', pollId: '表決', options: '選項', seats: '應選名額', rule: '通過規則', quorum: '法定人數', secret: '不記名', choice: '選擇', eligibleAffiliations: '投票身分', agendaItemId: '議程' , ownerAffiliation: '責任方', ownerUserId: '負責人', ownerName: '負責人', dueDate: '期限', status: '狀態', body: '內容', summary: '會議小結', locale: '語言', reason: '原因', closePolls: '表決' },
  en: { username: 'username', password: 'password', name: 'name', title: 'title', kind: 'meeting kind', communityId: 'community', startsAt: 'date and time', location: 'place', code: 'join code', affiliation: 'affiliation', role: 'role', present: 'present', eligible: 'eligible', meetingId: 'meeting', pollId: 'poll', options: 'options', seats: 'seats', rule: 'rule', quorum: 'quorum', secret: 'secret ballot', choice: 'choice', eligibleAffiliations: 'who may vote', agendaItemId: 'agenda item' , ownerAffiliation: 'responsible party', ownerUserId: 'owner', ownerName: 'owner', dueDate: 'due date', status: 'status', body: 'text', summary: 'summary', locale: 'language', reason: 'reason', closePolls: 'polls' },
};

/** The message for an error code in a locale, with { userId: 'participant', order: 'order', limitSeconds: 'speaking time', attendanceQuorum: 'attendance quorum',placeholders} filled in. */
export function errorMessage(code: ErrorCode, locale: Locale, params: Record<string, string | number> = {}): string {
  const table = MESSAGES[locale] as Record<string, string>;
  const template = table[code] ?? MESSAGES[locale].internal;
  return template.replace(/\{(\w+)\}/g, (_, key: string) => String(params[key] ?? ''));
}

/** Joins invalid field names into a localized list for invalid_input. */
export function fieldList(fields: string[], locale: Locale): string {
  const labels = [...new Set(fields)].map((f) => FIELD_LABELS[locale][f] ?? f);
  return labels.join(locale === 'en' ? ', ' : '、') || (locale === 'en' ? 'the request' : '请求');
}

/** Status code for an error code (500 when unknown). */
export function errorStatus(code: ErrorCode): number {
  return (ERRORS as Record<string, number>)[code] ?? 500;
}

/** The body of every error answer. */
export interface ApiError {
  error: { code: ErrorCode; message: string };
}

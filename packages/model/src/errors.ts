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
  last_host: 409,
  payload_too_large: 413,
  too_many_attempts: 429,
  internal: 500,
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
    last_host: '会议至少需要一位主持人，请先指定另一位主持人。',
    payload_too_large: '提交的内容太大了。',
    too_many_attempts: '尝试次数过多，请 {seconds} 秒后再试。',
    internal: '服务器出错了，请稍后再试。',
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
    last_host: '會議至少需要一位主持人，請先指定另一位主持人。',
    payload_too_large: '提交的內容太大了。',
    too_many_attempts: '嘗試次數過多，請 {seconds} 秒後再試。',
    internal: '伺服器出錯了，請稍後再試。',
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
    last_host: 'A meeting needs at least one host; make someone else host first.',
    payload_too_large: 'What you sent is too large.',
    too_many_attempts: 'Too many attempts. Please try again in {seconds} seconds.',
    internal: 'Something went wrong on the server. Please try again.',
  },
};

/** Field names as a person reads them, for invalid_input messages. */
const FIELD_LABELS: Record<Locale, Record<string, string>> = {
  'zh-CN': { username: '用户名', password: '密码', name: '姓名', title: '标题', kind: '会议类型', communityId: '社区', startsAt: '时间', location: '地点', code: '会议码', affiliation: '身份', role: '角色', present: '到会', eligible: '表决资格' },
  'zh-TW': { username: '使用者名稱', password: '密碼', name: '姓名', title: '標題', kind: '會議類型', communityId: '社區', startsAt: '時間', location: '地點', code: '會議碼', affiliation: '身分', role: '角色', present: '到會', eligible: '表決資格' },
  en: { username: 'username', password: 'password', name: 'name', title: 'title', kind: 'meeting kind', communityId: 'community', startsAt: 'date and time', location: 'place', code: 'join code', affiliation: 'affiliation', role: 'role', present: 'present', eligible: 'eligible' },
};

/** The message for an error code in a locale, with {placeholders} filled in. */
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

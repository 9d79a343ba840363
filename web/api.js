// api.js: the zapgate REST API, called with the session's bearer token.

const KEY = 'zapgate.session';

// The session is {token, name, role, id}; it lives in sessionStorage so it
// ends with the browser tab.
export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
}

export function saveSession(s) {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

export const isAdmin = () => session()?.role === 'admin';

// ApiError carries the API's error shape: {"error":{"code","message","fields"}}.
export class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields || {};
  }
}

let unauthorized = () => {};

// onUnauthorized sets what happens when the session's token stops working.
export function onUnauthorized(fn) {
  unauthorized = fn;
}

// request sends one call. opts.token overrides the session's token ('' sends
// none); opts.accept sets the Accept header. JSON answers are parsed, other
// answers come back as a Blob.
export async function request(method, path, body, opts = {}) {
  const headers = {};
  const token = opts.token ?? session()?.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (opts.accept) headers.Accept = opts.accept;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check the connection and try again.');
  }
  if (res.ok) {
    if (res.status === 204) return null;
    const type = res.headers.get('Content-Type') || '';
    return type.includes('application/json') ? res.json() : res.blob();
  }
  let err = {};
  try {
    err = (await res.json()).error || {};
  } catch {
    // not the API's error shape
  }
  const e = new ApiError(res.status, err.code || `http_${res.status}`, err.message || res.statusText || 'Request failed', err.fields);
  if (res.status === 401 && opts.token === undefined) unauthorized(e);
  throw e;
}

const id = encodeURIComponent;

export const api = {
  login: (email, password) => request('POST', '/v1/auth/login', { email, password }, { token: '' }),
  // checkAdminToken answers 200 for the admin token only (404 for others).
  checkAdminToken: (token) => request('GET', '/v1/instances?limit=1', undefined, { token }),

  // filters is a query string to add (the inbox's filter bar: &assigned=…).
  attendances: (status, cursor = '', filters = '') =>
    request('GET', `/v1/attendances?status=${id(status)}&limit=100${cursor ? `&cursor=${id(cursor)}` : ''}${filters}`),
  attendance: (aid) => request('GET', `/v1/attendances/${id(aid)}`),
  reply: (aid, message) => request('POST', `/v1/attendances/${id(aid)}/messages`, message),
  assign: (aid, attendantId) => request('POST', `/v1/attendances/${id(aid)}/assign`, { attendant_id: attendantId }),
  close: (aid) => request('POST', `/v1/attendances/${id(aid)}/close`),
  attendants: () => request('GET', '/v1/attendants'),
  // media fetches a message's file (a path the API gave) as a Blob.
  media: (url) => request('GET', url, undefined, { accept: '*/*' }),

  instances: () => request('GET', '/v1/instances?limit=500'),
  instance: (iid) => request('GET', `/v1/instances/${id(iid)}`),
  createInstance: (name) => request('POST', '/v1/instances', { name }),
  qr: (iid) => request('GET', `/v1/instances/${id(iid)}/qr`, undefined, { accept: 'image/png' }),
  logoutInstance: (iid) => request('POST', `/v1/instances/${id(iid)}/logout`),
  resumeInstance: (iid) => request('POST', `/v1/instances/${id(iid)}/resume`),
  groups: (iid) => request('GET', `/v1/instances/${id(iid)}/groups?limit=500`),
  deleteInstance: (iid) => request('DELETE', `/v1/instances/${id(iid)}`),
  pairCode: (iid, phone) => request('POST', `/v1/instances/${id(iid)}/pair-code`, { phone }),

  webhooks: (iid) => request('GET', `/v1/instances/${id(iid)}/webhooks`),
  createWebhook: (iid, url, events) => request('POST', `/v1/instances/${id(iid)}/webhooks`, { url, events }),
  deleteWebhook: (iid, wid) => request('DELETE', `/v1/instances/${id(iid)}/webhooks/${id(wid)}`),
  deliveries: (iid, wid) => request('GET', `/v1/instances/${id(iid)}/webhooks/${id(wid)}/deliveries?limit=50`),
  redeliver: (iid, wid, did) =>
    request('POST', `/v1/instances/${id(iid)}/webhooks/${id(wid)}/deliveries/${id(did)}/redeliver`),
  sendHooks: (iid) => request('GET', `/v1/instances/${id(iid)}/send-hooks`),
  createSendHook: (iid, hook) => request('POST', `/v1/instances/${id(iid)}/send-hooks`, hook),
  deleteSendHook: (iid, hid) => request('DELETE', `/v1/instances/${id(iid)}/send-hooks/${id(hid)}`),

  // the attendant's tools (issue 16)
  transfer: (aid, to, note) => request('POST', `/v1/attendances/${id(aid)}/transfer`, { ...to, ...(note ? { note } : {}) }),
  addNote: (aid, text) => request('POST', `/v1/attendances/${id(aid)}/notes`, { text }),
  setLabels: (aid, labels) => request('PUT', `/v1/attendances/${id(aid)}/labels`, { labels }),
  reopen: (aid) => request('POST', `/v1/attendances/${id(aid)}/reopen`),
  cannedReplies: (aid) => request('GET', `/v1/canned-replies${aid ? `?attendance_id=${id(aid)}` : ''}`),
  client: (cid) => request('GET', `/v1/clients/${id(cid)}`),
  patchClient: (cid, body) => request('PATCH', `/v1/clients/${id(cid)}`, body),
  setMyStatus: (status) => request('PATCH', '/v1/attendants/me', { status }),
  createAttendant: (body) => request('POST', '/v1/attendants', body),
  patchAttendant: (tid, body) => request('PATCH', `/v1/attendants/${id(tid)}`, body),
  teams: () => request('GET', '/v1/teams'),
  createTeam: (body) => request('POST', '/v1/teams', body),
  patchTeam: (tid, body) => request('PATCH', `/v1/teams/${id(tid)}`, body),
  deleteTeam: (tid) => request('DELETE', `/v1/teams/${id(tid)}`),

  feedbackSummary: () => request('GET', '/v1/feedback/summary'),
};

/*
 * cohost RTM Web SDK — the browser client of cohost's real-time messaging
 * service, with the public API of agora-rtm-sdk 1.x (AgoraRTM.createInstance,
 * login, sendMessageToPeer, channels, channel attributes, presence, call
 * invitations). Load it with
 *
 *   <script src="https://your-cohost-server/sdk/cohost-rtm.js"></script>   (defines window.AgoraRTM)
 *   import AgoraRTM from "https://your-cohost-server/sdk/cohost-rtm.mjs";  (ES module)
 *
 * and it talks to the server it was loaded from; AgoraRTM.setServerURL(url)
 * points it at another one. The wire protocol is docs/rtm.md; the API is
 * docs/web-sdk.md.
 */
(function (root, factory) {
  "use strict";
  const script = typeof document !== "undefined" && document.currentScript && document.currentScript.src;
  const existing = root && root.AgoraRTM && root.AgoraRTM.__cohost ? root.AgoraRTM : null;
  const sdk = existing || factory(script || "");
  if (typeof module === "object" && module && module.exports) module.exports = sdk;
  if (root) root.AgoraRTM = sdk;
})(typeof globalThis !== "undefined" ? globalThis : this, function (scriptURL) {
  "use strict";

  const VERSION = "0.1.0";
  const PROTOCOL_VERSION = 1;
  const RTM_PATH = "/v1/rtm";
  const REQUEST_TIMEOUT_MS = 15000;
  // The server answers a peer message once the receiver acknowledged it, or
  // after its own 10 s timeout: wait a little longer than that.
  const PEER_MESSAGE_TIMEOUT_MS = 20000;

  let logFilter = 1; // 0 off … 4 debug, roughly as Agora's LOG_FILTER_*
  const log = {
    debug: (...a) => logFilter >= 4 && console.debug("[cohost-rtm]", ...a),
    info: (...a) => logFilter >= 3 && console.info("[cohost-rtm]", ...a),
    warn: (...a) => logFilter >= 2 && console.warn("[cohost-rtm]", ...a),
    error: (...a) => logFilter >= 1 && console.error("[cohost-rtm]", ...a),
  };

  // ---------------------------------------------------------------- server URL

  let serverURLOverride = "";
  let moduleURL = "";

  function serverBase() {
    if (serverURLOverride) return serverURLOverride;
    const src = [scriptURL, moduleURL].find((u) => /^https?:/.test(u));
    if (src) {
      const u = new URL(src);
      const i = u.pathname.lastIndexOf("/sdk/");
      return u.origin + (i > 0 ? u.pathname.slice(0, i) : "");
    }
    if (typeof location !== "undefined" && /^https?:$/.test(location.protocol)) return location.origin;
    throw new RtmError(101, "no cohost server URL: call AgoraRTM.setServerURL(url) first");
  }

  function rtmURL() {
    const u = new URL(serverBase());
    u.protocol = u.protocol === "https:" || u.protocol === "wss:" ? "wss:" : "ws:";
    u.pathname = u.pathname.replace(/\/$/, "") + RTM_PATH;
    u.search = "";
    u.hash = "";
    return u.toString();
  }

  // ---------------------------------------------------------------- codes

  const enumOf = (names) => Object.freeze(Object.fromEntries(names.map((n) => [n, n])));
  const ConnectionState = enumOf(["DISCONNECTED", "CONNECTING", "CONNECTED", "RECONNECTING", "ABORTED"]);
  const STATES = { 1: "DISCONNECTED", 2: "CONNECTING", 3: "CONNECTED", 4: "RECONNECTING", 5: "ABORTED" };
  const ConnectionChangeReason = enumOf(["LOGIN", "LOGIN_SUCCESS", "LOGIN_FAILURE", "LOGIN_TIMEOUT", "INTERRUPTED", "LOGOUT", "BANNED_BY_SERVER", "REMOTE_LOGIN", "TOKEN_EXPIRED"]);
  const REASONS = { 1: "LOGIN", 2: "LOGIN_SUCCESS", 3: "LOGIN_FAILURE", 4: "LOGIN_TIMEOUT", 5: "INTERRUPTED", 6: "LOGOUT", 7: "BANNED_BY_SERVER", 8: "REMOTE_LOGIN", 9: "TOKEN_EXPIRED", 100: "INTERRUPTED" };
  const PeerOnlineState = enumOf(["ONLINE", "UNREACHABLE", "OFFLINE"]);
  const PEER_STATES = { 0: "ONLINE", 1: "UNREACHABLE", 2: "OFFLINE" };
  const PeerSubscriptionOption = enumOf(["ONLINE_STATUS"]);
  const MessageType = enumOf(["TEXT", "RAW"]);
  const LocalInvitationState = enumOf(["IDLE", "SENT_TO_REMOTE", "RECEIVED_BY_REMOTE", "ACCEPTED_BY_REMOTE", "REFUSED_BY_REMOTE", "CANCELED", "FAILURE"]);
  const RemoteInvitationState = enumOf(["INVITATION_RECEIVED", "ACCEPT_SENT_TO_LOCAL", "REFUSED", "ACCEPTED", "CANCELED", "FAILURE"]);
  const LocalInvitationFailureReason = enumOf(["UNKNOWN", "PEER_NO_RESPONSE", "INVITATION_EXPIRE", "PEER_OFFLINE", "NOT_LOGGEDIN"]);
  const LOCAL_FAILURES = { 1: "UNKNOWN", 2: "PEER_NO_RESPONSE", 3: "INVITATION_EXPIRE", 4: "PEER_OFFLINE", 5: "NOT_LOGGEDIN" };
  const RemoteInvitationFailureReason = enumOf(["UNKNOWN", "PEER_OFFLINE", "ACCEPT_FAILURE", "INVITATION_EXPIRE"]);
  const REMOTE_FAILURES = { 1: "UNKNOWN", 2: "PEER_OFFLINE", 3: "ACCEPT_FAILURE", 4: "INVITATION_EXPIRE" };

  // RtmErrorCode: Agora's numeric result codes per operation.
  const RtmErrorCode = Object.freeze({
    LoginError: Object.freeze({ LOGIN_ERR_UNKNOWN: 1, LOGIN_ERR_REJECTED: 2, LOGIN_ERR_INVALID_ARGUMENT: 3, LOGIN_ERR_INVALID_APP_ID: 4,
      LOGIN_ERR_INVALID_TOKEN: 5, LOGIN_ERR_TOKEN_EXPIRED: 6, LOGIN_ERR_NOT_AUTHORIZED: 7, LOGIN_ERR_ALREADY_LOGIN: 8,
      LOGIN_ERR_TIMEOUT: 9, LOGIN_ERR_TOO_OFTEN: 10 }),
    LogoutError: Object.freeze({ LOGOUT_ERR_REJECTED: 1, LOGOUT_ERR_USER_NOT_LOGGED_IN: 102 }),
    RenewTokenError: Object.freeze({ RENEW_TOKEN_ERR_FAILURE: 1, RENEW_TOKEN_ERR_INVALID_ARGUMENT: 2, RENEW_TOKEN_ERR_REJECTED: 3,
      RENEW_TOKEN_ERR_TOO_OFTEN: 4, RENEW_TOKEN_ERR_TOKEN_EXPIRED: 5, RENEW_TOKEN_ERR_INVALID_TOKEN: 6, RENEW_TOKEN_ERR_USER_NOT_LOGGED_IN: 102 }),
    PeerMessageError: Object.freeze({ PEER_MESSAGE_ERR_FAILURE: 1, PEER_MESSAGE_ERR_TIMEOUT: 2, PEER_MESSAGE_ERR_PEER_UNREACHABLE: 3,
      PEER_MESSAGE_ERR_CACHED_BY_SERVER: 4, PEER_MESSAGE_ERR_TOO_OFTEN: 5, PEER_MESSAGE_ERR_INVALID_USERID: 6,
      PEER_MESSAGE_ERR_INVALID_MESSAGE: 7, PEER_MESSAGE_ERR_INCOMPATIBLE_MESSAGE: 8, PEER_MESSAGE_ERR_USER_NOT_LOGGED_IN: 102 }),
    JoinChannelError: Object.freeze({ JOIN_CHANNEL_ERR_FAILURE: 1, JOIN_CHANNEL_ERR_REJECTED: 2, JOIN_CHANNEL_ERR_INVALID_ARGUMENT: 3,
      JOIN_CHANNEL_TIMEOUT: 4, JOIN_CHANNEL_ERR_EXCEED_LIMIT: 5, JOIN_CHANNEL_ERR_ALREADY_JOINED: 6, JOIN_CHANNEL_ERR_TOO_OFTEN: 7,
      JOIN_SAME_CHANNEL_ERR_TOO_OFTEN: 8, JOIN_CHANNEL_ERR_USER_NOT_LOGGED_IN: 102 }),
    LeaveChannelError: Object.freeze({ LEAVE_CHANNEL_ERR_FAILURE: 1, LEAVE_CHANNEL_ERR_REJECTED: 2, LEAVE_CHANNEL_ERR_NOT_IN_CHANNEL: 3,
      LEAVE_CHANNEL_ERR_USER_NOT_LOGGED_IN: 102 }),
    ChannelMessageError: Object.freeze({ CHANNEL_MESSAGE_ERR_FAILURE: 1, CHANNEL_MESSAGE_ERR_TIMEOUT: 2, CHANNEL_MESSAGE_ERR_TOO_OFTEN: 3,
      CHANNEL_MESSAGE_ERR_INVALID_MESSAGE: 4, CHANNEL_MESSAGE_ERR_USER_NOT_LOGGED_IN: 102 }),
    GetMembersError: Object.freeze({ GET_MEMBERS_ERR_FAILURE: 1, GET_MEMBERS_ERR_REJECTED: 2, GET_MEMBERS_ERR_TIMEOUT: 3,
      GET_MEMBERS_ERR_TOO_OFTEN: 4, GET_MEMBERS_ERR_NOT_IN_CHANNEL: 5, GET_MEMBERS_ERR_USER_NOT_LOGGED_IN: 102 }),
    AttributeOperationError: Object.freeze({ ATTRIBUTE_OPERATION_ERR_NOT_READY: 1, ATTRIBUTE_OPERATION_ERR_FAILURE: 2,
      ATTRIBUTE_OPERATION_ERR_INVALID_ARGUMENT: 3, ATTRIBUTE_OPERATION_ERR_SIZE_OVERFLOW: 4, ATTRIBUTE_OPERATION_ERR_TOO_OFTEN: 5,
      ATTRIBUTE_OPERATION_ERR_USER_NOT_FOUND: 6, ATTRIBUTE_OPERATION_ERR_TIMEOUT: 7, ATTRIBUTE_OPERATION_ERR_USER_NOT_LOGGED_IN: 102,
      ATTRIBUTE_OPERATION_ERR_REVISION_CONFLICT: 200 }),
    GetChannelMemberCountError: Object.freeze({ GET_CHANNEL_MEMBER_COUNT_ERR_FAILURE: 1, GET_CHANNEL_MEMBER_COUNT_ERR_INVALID_ARGUMENT: 2,
      GET_CHANNEL_MEMBER_COUNT_ERR_TOO_OFTEN: 3, GET_CHANNEL_MEMBER_COUNT_ERR_TIMEOUT: 4, GET_CHANNEL_MEMBER_COUNT_ERR_EXCEED_LIMIT: 5,
      GET_CHANNEL_MEMBER_COUNT_ERR_USER_NOT_LOGGED_IN: 102 }),
    QueryPeersOnlineStatusError: Object.freeze({ QUERY_PEERS_ONLINE_STATUS_ERR_FAILURE: 1, QUERY_PEERS_ONLINE_STATUS_ERR_INVALID_ARGUMENT: 2,
      QUERY_PEERS_ONLINE_STATUS_ERR_REJECTED: 3, QUERY_PEERS_ONLINE_STATUS_ERR_TIMEOUT: 4, QUERY_PEERS_ONLINE_STATUS_ERR_TOO_OFTEN: 5,
      QUERY_PEERS_ONLINE_STATUS_ERR_USER_NOT_LOGGED_IN: 102 }),
    PeerSubscriptionStatusError: Object.freeze({ PEER_SUBSCRIPTION_STATUS_ERR_FAILURE: 1, PEER_SUBSCRIPTION_STATUS_ERR_INVALID_ARGUMENT: 2,
      PEER_SUBSCRIPTION_STATUS_ERR_REJECTED: 3, PEER_SUBSCRIPTION_STATUS_ERR_TIMEOUT: 4, PEER_SUBSCRIPTION_STATUS_ERR_TOO_OFTEN: 5,
      PEER_SUBSCRIPTION_STATUS_ERR_OVERFLOW: 6, PEER_SUBSCRIPTION_STATUS_ERR_USER_NOT_LOGGED_IN: 102 }),
  });

  // RtmError: what every failed call rejects with. code is the operation's
  // numeric RTM result code (see RtmErrorCode), name its Agora name.
  class RtmError extends Error {
    constructor(code, message, name, data) {
      super(message || name || `RTM error ${code}`);
      this.code = code;
      this.name = name ? `RtmError ${name}` : "RtmError";
      this.data = data;
    }
  }

  const NOT_LOGGED_IN = 102;
  const fail = (code, message, name) => new RtmError(code, message, name);

  class EventEmitter {
    constructor() {
      this._events = new Map();
    }
    on(event, listener) {
      if (typeof listener !== "function") throw fail(3, "listener must be a function", "INVALID_ARGUMENT");
      if (!this._events.has(event)) this._events.set(event, []);
      this._events.get(event).push({ listener, once: false });
      return this;
    }
    once(event, listener) {
      this.on(event, listener);
      const l = this._events.get(event);
      l[l.length - 1].once = true;
      return this;
    }
    off(event, listener) {
      const l = this._events.get(event);
      if (l) {
        const i = l.findIndex((e) => e.listener === listener);
        if (i >= 0) l.splice(i, 1);
      }
      return this;
    }
    removeAllListeners(event) {
      if (event === undefined) this._events.clear();
      else this._events.delete(event);
      return this;
    }
    listenerCount(event) {
      return (this._events.get(event) || []).length;
    }
    emit(event, ...args) {
      const l = this._events.get(event);
      if (!l) return;
      for (const e of l.slice()) {
        if (e.once) this.off(event, e.listener);
        try {
          e.listener(...args);
        } catch (err) {
          log.error(`a "${event}" listener threw`, err);
        }
      }
    }
  }

  const ID_RE = /^[a-zA-Z0-9 !#$%&()+\-:;<=.>?@[\]^_{}|~,]{1,64}$/;
  const validId = (id) => typeof id === "string" && ID_RE.test(id) && id !== "null";
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // ---------------------------------------------------------------- messages

  function toBase64(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }

  function fromBase64(b64) {
    const s = atob(b64 || "");
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  // wireMessage turns an RtmMessage ({text} or {rawMessage, description})
  // into the protocol's message.
  function wireMessage(message, invalidCode) {
    if (!message || typeof message !== "object") throw fail(invalidCode, "the message must be {text} or {rawMessage, description}", "INVALID_MESSAGE");
    if (message.messageType === "RAW" || message.rawMessage !== undefined) {
      if (!(message.rawMessage instanceof Uint8Array)) throw fail(invalidCode, "rawMessage must be a Uint8Array", "INVALID_MESSAGE");
      return { type: 2, raw: toBase64(message.rawMessage), description: message.description || "" };
    }
    if (typeof message.text !== "string") throw fail(invalidCode, "text must be a string", "INVALID_MESSAGE");
    return { type: 1, text: message.text };
  }

  function appMessage(m) {
    if (m.type === 2) return { messageType: "RAW", rawMessage: fromBase64(m.raw), description: m.description || "" };
    return { messageType: "TEXT", text: m.text || "" };
  }

  function attributeMap(list, full) {
    const out = {};
    for (const a of list || []) {
      out[a.key] = full ? { value: a.value, lastUpdateUserId: a.lastUpdateUserId || "", lastUpdateTs: a.lastUpdateTs || 0, revision: a.revision || 0 } : a.value;
    }
    return out;
  }

  function attributeList(map, code) {
    if (!map || typeof map !== "object") throw fail(code, "attributes must be an object of string values", "INVALID_ARGUMENT");
    return Object.keys(map).map((key) => {
      if (typeof map[key] !== "string") throw fail(code, `attribute ${key} must be a string`, "INVALID_ARGUMENT");
      return { key, value: map[key] };
    });
  }

  // ---------------------------------------------------------------- connection

  class Conn {
    constructor(url, onEvent, onClose) {
      this.url = url;
      this.onEvent = onEvent;
      this.onClose = onClose;
      this.ws = null;
      this.nextId = 1;
      this.pending = new Map();
      this.closed = false;
    }
    open(timeoutMs) {
      return new Promise((resolve, reject) => {
        let ws;
        try {
          ws = new WebSocket(this.url);
        } catch (e) {
          reject(fail(9, `cannot open ${this.url}: ${e.message || e}`, "TIMEOUT"));
          return;
        }
        this.ws = ws;
        let opened = false;
        const timer = setTimeout(() => {
          if (!opened) {
            ws.close();
            reject(fail(9, `no answer from ${this.url}`, "TIMEOUT"));
          }
        }, timeoutMs || 10000);
        ws.onopen = () => {
          opened = true;
          clearTimeout(timer);
          resolve();
        };
        ws.onmessage = (ev) => this._onMessage(ev.data);
        ws.onclose = () => {
          clearTimeout(timer);
          const first = !this.closed;
          this.closed = true;
          for (const [, p] of this.pending) {
            clearTimeout(p.timer);
            p.reject(fail(p.failCode, "the connection to the server closed", "NETWORK_ERROR"));
          }
          this.pending.clear();
          if (!opened) reject(fail(9, `cannot connect to ${this.url}`, "TIMEOUT"));
          else if (first && this.onClose) this.onClose(this);
        };
        ws.onerror = () => {};
      });
    }
    _onMessage(text) {
      let env;
      try {
        env = JSON.parse(text);
      } catch (e) {
        return;
      }
      if (env.type === "response") {
        const p = this.pending.get(env.id);
        if (!p) return;
        this.pending.delete(env.id);
        clearTimeout(p.timer);
        if (env.error) p.reject(new RtmError(env.error.code, env.error.message, env.error.name, env.error.reason ? { reason: env.error.reason } : undefined));
        else p.resolve(env.data === undefined ? {} : env.data);
        return;
      }
      if (this.onEvent) this.onEvent(this, env.type, env.data || {});
    }
    // request sends a request; failCode is the operation's code for a
    // failure without a server answer (timeout, closed connection).
    request(type, data, failCode, timeoutMs) {
      if (this.closed || !this.ws || this.ws.readyState !== WebSocket.OPEN) {
        return Promise.reject(fail(failCode, `not connected (${type})`, "NOT_CONNECTED"));
      }
      const id = this.nextId++;
      const env = { id, type };
      if (data !== undefined) env.data = data;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject(fail(failCode, `no response to ${type}`, "TIMEOUT"));
        }, timeoutMs || REQUEST_TIMEOUT_MS);
        this.pending.set(id, { resolve, reject, timer, failCode });
        this.ws.send(JSON.stringify(env));
      });
    }
    send(type, data) {
      if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type, data }));
    }
    close() {
      this.onClose = null;
      this.closed = true;
      if (this.ws) {
        try {
          this.ws.close(1000, "");
        } catch (e) {
          /* closed */
        }
      }
    }
  }

  // ---------------------------------------------------------------- channel

  class RtmChannel extends EventEmitter {
    constructor(client, channelId) {
      super();
      this.channelId = channelId;
      this._client = client;
      this._joined = false;
    }
    async join() {
      this._client._check(3);
      if (this._joined) throw fail(6, `already joined ${this.channelId}`, "ALREADY_JOINED");
      await this._client._request("join-channel", { channelId: this.channelId }, 1);
      this._joined = true;
    }
    async leave() {
      this._client._check(3);
      if (!this._joined) throw fail(3, `not in ${this.channelId}`, "NOT_IN_CHANNEL");
      this._joined = false;
      await this._client._request("leave-channel", { channelId: this.channelId }, 1);
    }
    async sendMessage(message) {
      this._client._check(1);
      const m = wireMessage(message, 4);
      await this._client._request("send-channel-message", { channelId: this.channelId, message: m }, 2);
    }
    async getMembers() {
      this._client._check(1);
      const r = await this._client._request("get-members", { channelId: this.channelId }, 3);
      return r.members || [];
    }
  }

  // ---------------------------------------------------------------- invitations

  let invitationCounter = 0;

  class LocalInvitation extends EventEmitter {
    constructor(client, calleeId) {
      super();
      this._client = client;
      this.calleeId = calleeId;
      this.content = "";
      this.channelId = "";
      this.response = "";
      this.state = "IDLE";
      this._id = `${Date.now().toString(36)}-${++invitationCounter}`;
    }
    send() {
      if (this.state !== "IDLE" && this.state !== "CANCELED" && this.state !== "FAILURE" && this.state !== "REFUSED_BY_REMOTE" && this.state !== "ACCEPTED_BY_REMOTE") {
        throw fail(3, `the invitation is ${this.state}`, "INVALID_STATE");
      }
      if (this._client._state !== "CONNECTED" && this._client._state !== "RECONNECTING") {
        this.state = "FAILURE";
        setTimeout(() => this.emit("LocalInvitationFailure", "NOT_LOGGEDIN"), 0);
        return;
      }
      this._id = `${Date.now().toString(36)}-${++invitationCounter}`;
      this._client._invitations.set(this._id, this);
      const req = { invitationId: this._id, calleeId: this.calleeId };
      if (this.content) req.content = String(this.content);
      if (this.channelId) req.channelId = String(this.channelId);
      this._client._request("send-local-invitation", req, 1).then(
        () => {
          if (this.state === "IDLE" || this.state === "CANCELED" || this.state === "FAILURE" || this.state === "REFUSED_BY_REMOTE" || this.state === "ACCEPTED_BY_REMOTE") this.state = "SENT_TO_REMOTE";
        },
        (e) => {
          this.state = "FAILURE";
          this._client._invitations.delete(this._id);
          this.emit("LocalInvitationFailure", e.code === NOT_LOGGED_IN ? "NOT_LOGGEDIN" : "UNKNOWN");
        },
      );
    }
    cancel() {
      if (!this._client._invitations.has(this._id)) throw fail(3, "the invitation is not pending", "INVALID_STATE");
      this._client._request("cancel-local-invitation", { invitationId: this._id }, 1).then(
        () => {
          this.state = "CANCELED";
          this._client._invitations.delete(this._id);
          this.emit("LocalInvitationCanceled");
        },
        (e) => log.warn("cancel failed", e),
      );
    }
  }

  class RemoteInvitation extends EventEmitter {
    constructor(client, d) {
      super();
      this._client = client;
      this._id = d.invitationId;
      this.callerId = d.callerId;
      this.content = d.content || "";
      this.channelId = d.channelId || "";
      this.response = "";
      this.state = "INVITATION_RECEIVED";
    }
    _answer(type, next, done, event) {
      if (this.state !== "INVITATION_RECEIVED") throw fail(3, `the invitation is ${this.state}`, "INVALID_STATE");
      if (next) this.state = next;
      const req = { invitationId: this._id, callerId: this.callerId };
      if (this.response) req.response = String(this.response);
      this._client._request(type, req, 1).then(
        () => {
          this.state = done;
          this._client._remote.delete(this._key());
          this.emit(event);
        },
        (e) => {
          this.state = "FAILURE";
          this._client._remote.delete(this._key());
          this.emit("RemoteInvitationFailure", REMOTE_FAILURES[(e.data && e.data.reason) || 0] || (e.code === 3 ? "INVITATION_EXPIRE" : "UNKNOWN"));
        },
      );
    }
    _key() {
      return `${this.callerId}/${this._id}`;
    }
    accept() {
      this._answer("accept-remote-invitation", "ACCEPT_SENT_TO_LOCAL", "ACCEPTED", "RemoteInvitationAccepted");
    }
    refuse() {
      this._answer("refuse-remote-invitation", null, "REFUSED", "RemoteInvitationRefused");
    }
  }

  // ---------------------------------------------------------------- client

  class RtmClient extends EventEmitter {
    constructor(appId, config) {
      super();
      this._appId = appId;
      this._config = config || {};
      this._state = "DISCONNECTED";
      this._conn = null;
      this._userId = "";
      this._token = "";
      this._sessionId = "";
      this._keepAliveMs = 2000;
      this._pingTimer = null;
      this._channels = new Map(); // channelId → RtmChannel
      this._watching = new Set(); // presence subscriptions
      this._userAttrs = null; // the local user's attributes, restored after a new session
      this._invitations = new Map(); // invitationId → LocalInvitation
      this._remote = new Map(); // callerId/invitationId → RemoteInvitation
      this._reconnecting = false;
      this._waiters = [];
    }

    get connectionState() {
      return this._state;
    }

    _setState(state, reason) {
      if (state === this._state) return;
      this._state = state;
      if (state !== "RECONNECTING" && state !== "CONNECTING") {
        const w = this._waiters;
        this._waiters = [];
        for (const f of w) f(state === "CONNECTED");
      }
      this.emit("ConnectionStateChanged", state, reason);
    }

    _check(code) {
      if (this._state === "DISCONNECTED" || this._state === "ABORTED" || this._state === "CONNECTING") throw fail(NOT_LOGGED_IN, "not logged in", "USER_NOT_LOGGED_IN");
      return code;
    }

    async _request(type, data, failCode, timeoutMs) {
      if (this._state === "RECONNECTING") {
        const ok = await new Promise((r) => this._waiters.push(r));
        if (!ok) throw fail(NOT_LOGGED_IN, "logged out before the request was sent", "USER_NOT_LOGGED_IN");
      }
      if (!this._conn) throw fail(NOT_LOGGED_IN, "not logged in", "USER_NOT_LOGGED_IN");
      return this._conn.request(type, data, failCode, timeoutMs);
    }

    // ------------------------------------------------------------ login

    async login(options) {
      const uid = options && options.uid;
      if (!validId(uid)) throw fail(3, "uid must be 1–64 characters of the allowed set (and not \"null\")", "INVALID_ARGUMENT");
      if (options.token !== undefined && options.token !== null && typeof options.token !== "string") throw fail(3, "token must be a string", "INVALID_ARGUMENT");
      if (this._state !== "DISCONNECTED") throw fail(8, "already logged in (or logging in): log out first", "ALREADY_LOGIN");
      this._userId = uid;
      this._token = options.token || "";
      this._sessionId = "";
      this._userAttrs = null;
      this._setState("CONNECTING", "LOGIN");
      try {
        await this._connect(10000);
      } catch (e) {
        this._setState("DISCONNECTED", e.code === 9 ? "LOGIN_TIMEOUT" : "LOGIN_FAILURE");
        throw e;
      }
      this._setState("CONNECTED", "LOGIN_SUCCESS");
    }

    async _connect(timeoutMs) {
      const conn = new Conn(rtmURL(), (c, t, d) => this._onEvent(c, t, d), (c) => this._onClose(c));
      await conn.open(timeoutMs);
      const req = { version: PROTOCOL_VERSION, appId: this._appId, userId: this._userId };
      if (this._token) req.token = this._token;
      if (this._sessionId) req.sessionId = this._sessionId;
      this._conn = conn;
      let resp;
      try {
        resp = await conn.request("login", req, 9, timeoutMs);
      } catch (e) {
        conn.close();
        if (this._conn === conn) this._conn = null;
        throw e;
      }
      this._sessionId = resp.sessionId;
      if (resp.keepAliveMs > 0) this._keepAliveMs = resp.keepAliveMs;
      if (!resp.resumed && this._state === "RECONNECTING") await this._restore(conn);
      this._startPing(conn);
      return resp;
    }

    // _restore rejoins channels, presence subscriptions and user attributes
    // after a login that could not take over the earlier session.
    async _restore(conn) {
      for (const ch of this._channels.values()) {
        if (!ch._joined) continue;
        try {
          await conn.request("join-channel", { channelId: ch.channelId, rejoin: true }, 1);
        } catch (e) {
          log.warn(`rejoin of ${ch.channelId} failed`, e);
        }
      }
      if (this._watching.size) {
        try {
          await conn.request("subscribe-peers-online-status", { peerIds: Array.from(this._watching).sort() }, 1);
        } catch (e) {
          log.warn("presence subscriptions not restored", e);
        }
      }
      if (this._userAttrs && Object.keys(this._userAttrs).length) {
        try {
          await conn.request("set-local-user-attributes", { attributes: attributeList(this._userAttrs, 3) }, 2);
        } catch (e) {
          log.warn("user attributes not restored", e);
        }
      }
    }

    _startPing(conn) {
      clearInterval(this._pingTimer);
      const timeout = Math.max(3 * this._keepAliveMs, 3000);
      this._pingTimer = setInterval(() => {
        if (this._conn !== conn || this._state !== "CONNECTED") return;
        conn.request("ping", undefined, 1, timeout).catch((e) => {
          if (e.name === "RtmError TIMEOUT" && this._conn === conn) {
            log.warn("keep-alive unanswered; reconnecting");
            const ws = conn.ws;
            const cb = conn.onClose;
            conn.onClose = null;
            try {
              ws.close(4000, "keep-alive timeout");
            } catch (err) {
              /* ignore */
            }
            if (cb) cb(conn);
          }
        });
      }, this._keepAliveMs);
    }

    _onClose(conn) {
      if (conn !== this._conn) return;
      if (this._state !== "CONNECTED") return;
      this._reconnect();
    }

    async _reconnect() {
      if (this._reconnecting) return;
      this._reconnecting = true;
      clearInterval(this._pingTimer);
      this._setState("RECONNECTING", "INTERRUPTED");
      let delay = 100;
      try {
        while (this._state === "RECONNECTING") {
          try {
            await this._connect(5000);
            if (this._state === "RECONNECTING") this._setState("CONNECTED", "LOGIN_SUCCESS");
            return;
          } catch (e) {
            if (e.code === 5 || e.code === 6 || e.code === 4) {
              this._end("ABORTED", e.code === 6 ? "TOKEN_EXPIRED" : "LOGIN_FAILURE");
              if (e.code === 6) this.emit("TokenExpired");
              return;
            }
            log.debug("reconnect attempt failed", e);
          }
          await sleep(delay);
          delay = Math.min(delay * 2, 2000);
        }
      } finally {
        this._reconnecting = false;
      }
    }

    _end(state, reason) {
      clearInterval(this._pingTimer);
      this._pingTimer = null;
      const conn = this._conn;
      this._conn = null;
      if (conn) conn.close();
      for (const ch of this._channels.values()) ch._joined = false;
      this._setState(state, reason);
    }

    async logout() {
      if (this._state === "DISCONNECTED") return;
      const conn = this._conn;
      if (conn && !conn.closed) {
        try {
          await conn.request("logout", undefined, 1, 3000);
        } catch (e) {
          log.debug("logout", e);
        }
      }
      this._sessionId = "";
      this._watching.clear();
      this._userAttrs = null;
      this._end("DISCONNECTED", "LOGOUT");
    }

    async renewToken(token) {
      if (typeof token !== "string" || !token) throw fail(2, "token must be a non-empty string", "INVALID_ARGUMENT");
      this._check(2);
      await this._request("renew-token", { token }, 1);
      this._token = token;
    }

    // ------------------------------------------------------------ events

    _onEvent(conn, type, d) {
      if (conn !== this._conn) return;
      switch (type) {
        case "peer-message":
          if (d.deliveryId) conn.send("ack", { deliveryId: d.deliveryId });
          this.emit("MessageFromPeer", appMessage(d.message || {}), d.peerId, {
            serverReceivedTs: (d.message && d.message.serverReceivedTs) || 0,
            isOfflineMessage: !!(d.message && d.message.isOfflineMessage),
          });
          return;
        case "channel-message": {
          const ch = this._channels.get(d.channelId);
          if (ch) ch.emit("ChannelMessage", appMessage(d.message || {}), d.userId, { serverReceivedTs: (d.message && d.message.serverReceivedTs) || 0 });
          return;
        }
        case "member-joined": {
          const ch = this._channels.get(d.channelId);
          if (ch) ch.emit("MemberJoined", d.userId);
          return;
        }
        case "member-left": {
          const ch = this._channels.get(d.channelId);
          if (ch) ch.emit("MemberLeft", d.userId);
          return;
        }
        case "member-count-updated": {
          const ch = this._channels.get(d.channelId);
          if (ch) ch.emit("MemberCountUpdated", d.count);
          return;
        }
        case "attributes-updated": {
          const ch = this._channels.get(d.channelId);
          if (ch) ch.emit("AttributesUpdated", attributeMap(d.attributes, true));
          return;
        }
        case "peers-online-status": {
          const out = {};
          for (const [id, s] of Object.entries(d.statuses || {})) out[id] = PEER_STATES[s] || String(s);
          this.emit("PeersOnlineStatusChanged", out);
          return;
        }
        case "token-will-expire":
          this.emit("TokenPrivilegeWillExpire");
          return;
        case "disconnect": {
          const state = STATES[d.state] || "ABORTED";
          const reason = REASONS[d.reason] || "INTERRUPTED";
          log.warn(`the server ended the session: ${d.message || reason}`);
          if (state === "RECONNECTING") {
            // The server is going away; the SDK logs in again (elsewhere).
            const cb = conn.onClose;
            conn.onClose = null;
            conn.close();
            if (cb) cb(conn);
            return;
          }
          this._sessionId = "";
          this._end(state, reason);
          if (reason === "TOKEN_EXPIRED") this.emit("TokenExpired");
          return;
        }
        case "remote-invitation-received": {
          const inv = new RemoteInvitation(this, d);
          this._remote.set(inv._key(), inv);
          this.emit("RemoteInvitationReceived", inv);
          return;
        }
        case "remote-invitation-canceled": {
          const inv = this._remote.get(`${d.callerId}/${d.invitationId}`);
          if (!inv) return;
          this._remote.delete(inv._key());
          inv.state = "CANCELED";
          inv.emit("RemoteInvitationCanceled", inv.content);
          return;
        }
        case "remote-invitation-failure": {
          const inv = this._remote.get(`${d.callerId}/${d.invitationId}`);
          if (!inv) return;
          this._remote.delete(inv._key());
          inv.state = "FAILURE";
          inv.emit("RemoteInvitationFailure", REMOTE_FAILURES[d.reason] || "UNKNOWN");
          return;
        }
        case "local-invitation-received":
        case "local-invitation-accepted":
        case "local-invitation-refused":
        case "local-invitation-failure": {
          const inv = this._invitations.get(d.invitationId);
          if (!inv) return;
          if (type === "local-invitation-received") {
            inv.state = "RECEIVED_BY_REMOTE";
            inv.emit("LocalInvitationReceivedByPeer");
            return;
          }
          this._invitations.delete(d.invitationId);
          inv.response = d.response || "";
          if (type === "local-invitation-accepted") {
            inv.state = "ACCEPTED_BY_REMOTE";
            inv.emit("LocalInvitationAccepted", inv.response);
          } else if (type === "local-invitation-refused") {
            inv.state = "REFUSED_BY_REMOTE";
            inv.emit("LocalInvitationRefused", inv.response);
          } else {
            inv.state = "FAILURE";
            inv.emit("LocalInvitationFailure", LOCAL_FAILURES[d.reason] || "UNKNOWN");
          }
          return;
        }
        default:
          log.debug("unknown event", type, d);
      }
    }

    // ------------------------------------------------------------ peers

    async sendMessageToPeer(message, peerId, options) {
      this._check(NOT_LOGGED_IN);
      if (!validId(peerId)) throw fail(6, `invalid peer id ${JSON.stringify(peerId)}`, "INVALID_USERID");
      const req = { peerId, message: wireMessage(message, 7) };
      if (options && options.enableOfflineMessaging) req.enableOfflineMessaging = true;
      try {
        const r = await this._request("send-peer-message", req, 2, PEER_MESSAGE_TIMEOUT_MS);
        return { hasPeerReceived: r.code === 0 || r.code === undefined };
      } catch (e) {
        // Agora Web resolves with hasPeerReceived false when the peer is offline.
        if (e.code === 3) return { hasPeerReceived: false };
        throw e;
      }
    }

    async queryPeersOnlineStatus(peerIds) {
      this._check(2);
      if (!Array.isArray(peerIds) || !peerIds.length || !peerIds.every(validId)) throw fail(2, "peerIds must be a non-empty list of user ids", "INVALID_ARGUMENT");
      const r = await this._request("query-peers-online-status", { peerIds }, 1);
      const out = {};
      for (const id of peerIds) out[id] = (r.statuses || {})[id] === 0;
      return out;
    }

    async subscribePeersOnlineStatus(peerIds) {
      this._check(2);
      if (!Array.isArray(peerIds) || !peerIds.length || !peerIds.every(validId)) throw fail(2, "peerIds must be a non-empty list of user ids", "INVALID_ARGUMENT");
      await this._request("subscribe-peers-online-status", { peerIds }, 1);
      for (const id of peerIds) this._watching.add(id);
    }

    async unsubscribePeersOnlineStatus(peerIds) {
      this._check(2);
      if (!Array.isArray(peerIds) || !peerIds.length) throw fail(2, "peerIds must be a non-empty list of user ids", "INVALID_ARGUMENT");
      await this._request("unsubscribe-peers-online-status", { peerIds }, 1);
      for (const id of peerIds) this._watching.delete(id);
    }

    async queryPeersBySubscriptionOption(option) {
      this._check(2);
      if (option !== undefined && option !== "ONLINE_STATUS") throw fail(2, "the only option is ONLINE_STATUS", "INVALID_ARGUMENT");
      const r = await this._request("query-peers-by-subscription", undefined, 1);
      return r.peerIds || [];
    }

    // ------------------------------------------------------------ channels

    createChannel(channelId) {
      if (!validId(channelId)) throw fail(3, `invalid channel id ${JSON.stringify(channelId)}`, "INVALID_ARGUMENT");
      const existing = this._channels.get(channelId);
      if (existing) throw fail(3, `channel ${channelId} was already created`, "INVALID_ARGUMENT");
      const ch = new RtmChannel(this, channelId);
      this._channels.set(channelId, ch);
      return ch;
    }

    async getChannelMemberCount(channelIds) {
      this._check(2);
      if (!Array.isArray(channelIds) || !channelIds.length || !channelIds.every(validId)) throw fail(2, "channelIds must be a non-empty list of channel ids", "INVALID_ARGUMENT");
      const r = await this._request("get-channel-member-count", { channelIds }, 1);
      const out = {};
      for (const c of r.counts || []) out[c.channelId] = c.count;
      return out;
    }

    // ------------------------------------------------------------ channel attributes

    async _channelAttrs(type, channelId, extra, options) {
      this._check(3);
      if (!validId(channelId)) throw fail(3, `invalid channel id ${JSON.stringify(channelId)}`, "INVALID_ARGUMENT");
      const req = Object.assign({ channelId }, extra);
      if (options && options.enableNotificationToChannelMembers) req.enableNotificationToChannelMembers = true;
      if (options && options.expectedRevisions) req.expectedRevisions = options.expectedRevisions;
      return this._request(type, req, 7);
    }

    async setChannelAttributes(channelId, attributes, options) {
      await this._channelAttrs("set-channel-attributes", channelId, { attributes: attributeList(attributes, 3) }, options);
    }
    async addOrUpdateChannelAttributes(channelId, attributes, options) {
      await this._channelAttrs("add-or-update-channel-attributes", channelId, { attributes: attributeList(attributes, 3) }, options);
    }
    async deleteChannelAttributesByKeys(channelId, attributeKeys, options) {
      if (!Array.isArray(attributeKeys) || !attributeKeys.length) throw fail(3, "attributeKeys must be a non-empty list", "INVALID_ARGUMENT");
      await this._channelAttrs("delete-channel-attributes", channelId, { keys: attributeKeys }, options);
    }
    async clearChannelAttributes(channelId, options) {
      await this._channelAttrs("clear-channel-attributes", channelId, {}, options);
    }
    async getChannelAttributes(channelId) {
      const r = await this._channelAttrs("get-channel-attributes", channelId, {});
      return attributeMap(r.attributes, true);
    }
    async getChannelAttributesByKeys(channelId, attributeKeys) {
      if (!Array.isArray(attributeKeys) || !attributeKeys.length) throw fail(3, "attributeKeys must be a non-empty list", "INVALID_ARGUMENT");
      const r = await this._channelAttrs("get-channel-attributes", channelId, { keys: attributeKeys });
      return attributeMap(r.attributes, true);
    }

    // ------------------------------------------------------------ user attributes

    async setLocalUserAttributes(attributes) {
      this._check(3);
      await this._request("set-local-user-attributes", { attributes: attributeList(attributes, 3) }, 7);
      this._userAttrs = Object.assign({}, attributes);
    }
    async addOrUpdateLocalUserAttributes(attributes) {
      this._check(3);
      await this._request("add-or-update-local-user-attributes", { attributes: attributeList(attributes, 3) }, 7);
      this._userAttrs = Object.assign({}, this._userAttrs, attributes);
    }
    async deleteLocalUserAttributesByKeys(attributeKeys) {
      this._check(3);
      if (!Array.isArray(attributeKeys) || !attributeKeys.length) throw fail(3, "attributeKeys must be a non-empty list", "INVALID_ARGUMENT");
      await this._request("delete-local-user-attributes", { keys: attributeKeys }, 7);
      if (this._userAttrs) for (const k of attributeKeys) delete this._userAttrs[k];
    }
    async clearLocalUserAttributes() {
      this._check(3);
      await this._request("clear-local-user-attributes", undefined, 7);
      this._userAttrs = null;
    }
    async getUserAttributes(userId) {
      this._check(3);
      if (!validId(userId)) throw fail(3, `invalid user id ${JSON.stringify(userId)}`, "INVALID_ARGUMENT");
      const r = await this._request("get-user-attributes", { userId }, 7);
      return attributeMap(r.attributes, false);
    }
    async getUserAttributesByKeys(userId, attributeKeys) {
      this._check(3);
      if (!validId(userId)) throw fail(3, `invalid user id ${JSON.stringify(userId)}`, "INVALID_ARGUMENT");
      const r = await this._request("get-user-attributes", { userId, keys: attributeKeys }, 7);
      return attributeMap(r.attributes, false);
    }

    // ------------------------------------------------------------ invitations

    createLocalInvitation(calleeId) {
      if (!validId(calleeId)) throw fail(2, `invalid callee id ${JSON.stringify(calleeId)}`, "INVALID_ARGUMENT");
      return new LocalInvitation(this, calleeId);
    }

    // createMessage builds a message object (agora-rtm-sdk 1.4's helper).
    createMessage(message) {
      return Object.assign({ messageType: message && message.rawMessage ? "RAW" : "TEXT" }, message);
    }

    setParameters() {}
  }

  const AgoraRTM = {
    __cohost: true,
    VERSION,
    BUILD: `cohost-${VERSION}`,
    ConnectionState,
    ConnectionChangeReason,
    PeerOnlineState,
    PeerSubscriptionOption,
    MessageType,
    LocalInvitationState,
    RemoteInvitationState,
    LocalInvitationFailureReason,
    RemoteInvitationFailureReason,
    RtmErrorCode,
    RtmError,
    LOG_FILTER_OFF: { level: 0 },
    LOG_FILTER_ERROR: { level: 1 },
    LOG_FILTER_WARNING: { level: 2 },
    LOG_FILTER_INFO: { level: 3 },
    LOG_FILTER_DEBUG: { level: 4 },
    createInstance(appId, config) {
      if (typeof appId !== "string" || !appId) throw fail(101, "appId must be a non-empty string", "NOT_INITIALIZED");
      if (config && config.logFilter && typeof config.logFilter.level === "number") logFilter = config.logFilter.level;
      return new RtmClient(appId, config);
    },
    // setServerURL points the SDK at a cohost server other than the one it
    // was loaded from, e.g. AgoraRTM.setServerURL("https://rtc.example.com").
    setServerURL(url) {
      if (url) {
        const u = new URL(url, typeof location !== "undefined" ? location.href : undefined);
        serverURLOverride = u.origin + u.pathname.replace(/\/$/, "");
      } else {
        serverURLOverride = "";
      }
    },
    getServerURL: () => serverBase(),
    __setModuleURL(url) {
      if (!scriptURL && !moduleURL) moduleURL = url;
    },
  };
  return AgoraRTM;
});

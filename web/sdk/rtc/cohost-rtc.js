/*
 * cohost RTC Web SDK — the browser client of a cohost server, with the public
 * API of agora-rtc-sdk-ng 4.x (AgoraRTC.createClient, client.join, publish,
 * subscribe, channel media relay …).
 *
 *   <script src="https://your-cohost-server/sdk/cohost-rtc.js"></script>   (defines window.AgoraRTC)
 *
 * It talks to the server it was loaded from; AgoraRTC.setServerURL(url) points it
 * at another one. Built by `go run ./web/build` from web/sdk/src/rtc: do not edit.
 */
(() => {
  // src/rtc/log.js
  var LOG = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3, NONE: 4 };
  var logLevel = LOG.INFO;
  function setLogLevel(level) {
    logLevel = level;
  }
  var log = {
    debug: (...a) => logLevel <= LOG.DEBUG && console.debug("[cohost-rtc]", ...a),
    info: (...a) => logLevel <= LOG.INFO && console.info("[cohost-rtc]", ...a),
    warn: (...a) => logLevel <= LOG.WARNING && console.warn("[cohost-rtc]", ...a),
    error: (...a) => logLevel <= LOG.ERROR && console.error("[cohost-rtc]", ...a)
  };

  // src/rtc/codecs.js
  function receivableCodecs() {
    const out = ["opus", "vp8", "vp9", "h264"];
    if (typeof RTCRtpReceiver === "undefined" || !RTCRtpReceiver.getCapabilities) return out;
    const names = /* @__PURE__ */ new Set();
    for (const kind of ["audio", "video"]) {
      const caps = RTCRtpReceiver.getCapabilities(kind);
      if (caps) for (const c of caps.codecs) names.add(c.mimeType.split("/")[1].toLowerCase());
    }
    return out.filter((c) => names.has(c));
  }
  function preferCodec(transceiver, kind, codec) {
    if (!transceiver.setCodecPreferences || typeof RTCRtpSender === "undefined" || !RTCRtpSender.getCapabilities) return;
    const caps = RTCRtpSender.getCapabilities(kind);
    if (!caps) return;
    const mime = `${kind}/${codec}`.toLowerCase();
    const score = (c) => {
      const m = c.mimeType.toLowerCase();
      if (m !== mime) return 2;
      if (codec === "h264") {
        const f = c.sdpFmtpLine || "";
        return /profile-level-id=42e01f/.test(f) && /packetization-mode=1/.test(f) ? 0 : 1;
      }
      return 0;
    };
    const sorted = caps.codecs.slice().sort((a, b) => score(a) - score(b));
    try {
      transceiver.setCodecPreferences(sorted);
    } catch (e) {
      log.debug("setCodecPreferences failed", e);
    }
  }

  // src/rtc/constants.js
  var VERSION = "4.20.0";
  var COHOST_VERSION = "0.1.0";
  var PROTOCOL_VERSION = 1;
  var SIGNAL_PATH = "/v1/signal";
  var REQUEST_TIMEOUT_MS = 15e3;
  var ICE_GATHER_TIMEOUT_MS = 5e3;
  var STATS_INTERVAL_MS = 1e3;
  var RECONNECT_TIMEOUT_MS = 20 * 60 * 1e3;

  // src/rtc/errors.js
  var AgoraRTCErrorCode = Object.freeze({
    UNEXPECTED_ERROR: "UNEXPECTED_ERROR",
    UNEXPECTED_RESPONSE: "UNEXPECTED_RESPONSE",
    TIMEOUT: "TIMEOUT",
    INVALID_PARAMS: "INVALID_PARAMS",
    NOT_SUPPORTED: "NOT_SUPPORTED",
    INVALID_OPERATION: "INVALID_OPERATION",
    OPERATION_ABORTED: "OPERATION_ABORTED",
    NETWORK_ERROR: "NETWORK_ERROR",
    NETWORK_TIMEOUT: "NETWORK_TIMEOUT",
    WS_ABORT: "WS_ABORT",
    WS_DISCONNECT: "WS_DISCONNECT",
    WS_ERR: "WS_ERR",
    CAN_NOT_GET_GATEWAY_SERVER: "CAN_NOT_GET_GATEWAY_SERVER",
    CAN_NOT_GET_PROXY_SERVER: "CAN_NOT_GET_PROXY_SERVER",
    UID_CONFLICT: "UID_CONFLICT",
    TOKEN_EXPIRE: "TOKEN_EXPIRE",
    PERMISSION_DENIED: "PERMISSION_DENIED",
    DEVICE_NOT_FOUND: "DEVICE_NOT_FOUND",
    NOT_READABLE: "NOT_READABLE",
    CONSTRAINT_NOT_SATISFIED: "CONSTRAINT_NOT_SATISFIED",
    INVALID_LOCAL_TRACK: "INVALID_LOCAL_TRACK",
    INVALID_REMOTE_USER: "INVALID_REMOTE_USER",
    REMOTE_USER_IS_NOT_PUBLISHED: "REMOTE_USER_IS_NOT_PUBLISHED",
    CAN_NOT_PUBLISH_MULTIPLE_VIDEO_TRACKS: "CAN_NOT_PUBLISH_MULTIPLE_VIDEO_TRACKS",
    SUBSCRIBE_FAILED: "SUBSCRIBE_FAILED",
    CROSS_CHANNEL_WAIT_STATUS_ERROR: "CROSS_CHANNEL_WAIT_STATUS_ERROR",
    CROSS_CHANNEL_FAILED_JOIN_SRC: "CROSS_CHANNEL_FAILED_JOIN_SEC",
    CROSS_CHANNEL_FAILED_JOIN_DEST: "CROSS_CHANNEL_FAILED_JOIN_DEST",
    CROSS_CHANNEL_FAILED_PACKET_SENT_TO_DEST: "CROSS_CHANNEL_FAILED_PACKET_SENT_TO_DEST",
    CROSS_CHANNEL_SERVER_ERROR_RESPONSE: "CROSS_CHANNEL_SERVER_ERROR_RESPONSE"
  });
  var AgoraRTCError = class extends Error {
    constructor(code, message, data) {
      super(message || code);
      this.name = "AgoraRTCException";
      this.code = code;
      this.data = data;
    }
    toString() {
      return `AgoraRTCError ${this.code}: ${this.message}`;
    }
    print() {
      log.error(this.toString());
      return this;
    }
  };
  function serverError(e) {
    const data = { nativeCode: e.code, nativeName: e.name };
    if (e.reason) data.reason = e.reason;
    return new AgoraRTCError(e.web || "UNEXPECTED_ERROR", e.message || e.name || "request failed", data);
  }
  var fail = (code, message, data) => new AgoraRTCError(code, message, data);

  // src/rtc/emitter.js
  var EventEmitter = class {
    constructor() {
      this._events = /* @__PURE__ */ new Map();
    }
    on(event, listener) {
      if (typeof listener !== "function") throw fail("INVALID_PARAMS", "listener must be a function");
      if (!this._events.has(event)) this._events.set(event, []);
      this._events.get(event).push({ listener, once: false });
      return this;
    }
    addListener(event, listener) {
      return this.on(event, listener);
    }
    once(event, listener) {
      this.on(event, listener);
      const l = this._events.get(event);
      l[l.length - 1].once = true;
      return this;
    }
    off(event, listener) {
      const l = this._events.get(event);
      if (!l) return this;
      const i = l.findIndex((e) => e.listener === listener);
      if (i >= 0) l.splice(i, 1);
      return this;
    }
    removeListener(event, listener) {
      return this.off(event, listener);
    }
    removeAllListeners(event) {
      if (event === void 0) this._events.clear();
      else this._events.delete(event);
      return this;
    }
    getListeners(event) {
      return (this._events.get(event) || []).map((e) => e.listener);
    }
    emit(event, ...args) {
      const l = this._events.get(event);
      if (!l || l.length === 0) return;
      for (const e of l.slice()) {
        if (e.once) this.off(event, e.listener);
        try {
          e.listener(...args);
        } catch (err) {
          log.error(`a "${event}" listener threw`, err);
        }
      }
    }
  };

  // src/rtc/helpers.js
  var enumOf = (names) => Object.freeze(Object.fromEntries(names.map((n) => [n, n])));
  var idCounter = 0;
  var newId = (prefix) => `${prefix}-${Date.now().toString(36)}${(++idCounter).toString(36)}`;
  function waitGathered(pc) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        if (pc.iceGatheringState !== "complete") return;
        pc.removeEventListener("icegatheringstatechange", done);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        pc.removeEventListener("icegatheringstatechange", done);
        log.warn("ICE gathering did not complete in time; sending the candidates gathered so far");
        resolve();
      }, ICE_GATHER_TIMEOUT_MS);
      pc.addEventListener("icegatheringstatechange", done);
    });
  }
  var Queue = class {
    constructor() {
      this._tail = Promise.resolve();
    }
    run(job) {
      const p = this._tail.then(job);
      this._tail = p.catch(() => {
      });
      return p;
    }
  };
  function resolveElement(element) {
    if (typeof element === "string") {
      const el = document.getElementById(element);
      if (!el) throw fail("INVALID_PARAMS", `no element with id "${element}"`);
      return el;
    }
    if (typeof HTMLElement !== "undefined" && element instanceof HTMLElement) return element;
    throw fail("INVALID_PARAMS", "play() needs an element or an element id");
  }

  // src/shared/connection.js
  var Connection = class {
    /**
     * @param {string} url
     * @param {ConnectionOptions} opts
     */
    constructor(url, opts) {
      this.url = url;
      this.onEvent = opts.onEvent;
      this.onClose = opts.onClose;
      this.errors = opts.errors;
      this.requestTimeoutMs = opts.requestTimeoutMs;
      this.onUndecodable = opts.onUndecodable;
      this.ws = null;
      this.nextId = 1;
      this.pending = /* @__PURE__ */ new Map();
      this.closed = false;
    }
    /**
     * open connects; it rejects if the server does not accept within timeoutMs.
     * @param {number} [timeoutMs]
     * @returns {Promise<void>}
     */
    open(timeoutMs) {
      return new Promise((resolve, reject) => {
        let ws;
        try {
          ws = new WebSocket(this.url);
        } catch (e) {
          reject(this.errors.openFailed(this.url, String(e && e.message || e)));
          return;
        }
        this.ws = ws;
        let opened = false;
        const timer = setTimeout(() => {
          if (!opened) {
            ws.close();
            reject(this.errors.noAnswer(this.url));
          }
        }, timeoutMs || 1e4);
        ws.onopen = () => {
          opened = true;
          clearTimeout(timer);
          resolve();
        };
        ws.onmessage = (ev) => this._onMessage(ev.data);
        ws.onclose = (ev) => {
          clearTimeout(timer);
          const first = !this.closed;
          this.closed = true;
          this.failPending((tag) => this.errors.closed(ev, tag));
          if (!opened) reject(this.errors.refused(this.url));
          else if (first && this.onClose) this.onClose(this, ev);
        };
        ws.onerror = () => {
        };
      });
    }
    /**
     * failPending rejects every request waiting for a response.
     * @param {(tag: any) => Error} err
     */
    failPending(err) {
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(err(p.tag));
      }
      this.pending.clear();
    }
    /** @param {any} text */
    _onMessage(text) {
      let env;
      try {
        env = JSON.parse(text);
      } catch (e) {
        if (this.onUndecodable) this.onUndecodable("undecodable message from the server", text);
        return;
      }
      if (env.type === "response") {
        const p = this.pending.get(env.id);
        if (!p) return;
        this.pending.delete(env.id);
        clearTimeout(p.timer);
        if (env.error) p.reject(this.errors.server(env.error));
        else p.resolve(env.data === void 0 ? {} : env.data);
        return;
      }
      if (this.onEvent) this.onEvent(this, env.type, env.data || {}, env.seq);
    }
    /**
     * request sends a request and resolves with the response's data.
     * @param {string} type
     * @param {any} [data]
     * @param {number} [timeoutMs]
     * @param {any} [tag] handed to the error factory if the request fails without an answer
     * @returns {Promise<any>}
     */
    request(type, data, timeoutMs, tag) {
      const ws = this.ws;
      if (this.closed || !ws || ws.readyState !== WebSocket.OPEN) {
        return Promise.reject(this.errors.notConnected(type, tag));
      }
      const id = this.nextId++;
      const env = { id, type };
      if (data !== void 0) env.data = data;
      const wait = timeoutMs || this.requestTimeoutMs;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject(this.errors.timeout(type, wait, tag));
        }, wait);
        this.pending.set(id, { resolve, reject, timer, tag });
        ws.send(JSON.stringify(env));
      });
    }
    /**
     * send sends a message that expects no response (best effort).
     * @param {string} type
     * @param {any} [data]
     * @param {boolean} [withId] give it a request id (the server answers; nobody waits)
     */
    send(type, data, withId) {
      const ws = this.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      const env = withId ? { id: this.nextId++, type } : { type };
      if (data !== void 0) env.data = data;
      try {
        ws.send(JSON.stringify(env));
      } catch (e) {
      }
    }
    /**
     * close closes the connection without calling onClose; requests still
     * pending fail.
     * @param {number} [code]
     * @param {string} [reason]
     */
    close(code, reason) {
      this.onClose = null;
      this.closed = true;
      if (!this.ws) return;
      try {
        this.ws.close(code || 1e3, reason || "");
      } catch (e) {
      }
    }
  };

  // src/shared/server-url.js
  var ServerLocator = class {
    /**
     * @param {string} path the WebSocket endpoint's path, e.g. "/v1/signal"
     * @param {() => Error} missing the error when no server can be found
     */
    constructor(path, missing) {
      this.path = path;
      this.missing = missing;
      this.overrides = [];
      this.scriptURL = "";
      this.moduleURL = "";
    }
    /** @param {string} url the URL of the classic script (document.currentScript.src) */
    setScriptURL(url) {
      this.scriptURL = url || "";
    }
    /** @param {string} url the URL of the ES module (import.meta.url), kept if no script URL is known */
    setModuleURL(url) {
      if (!this.scriptURL && !this.moduleURL) this.moduleURL = url || "";
    }
    /**
     * setServerURL sets the server, or the servers in the order they are
     * tried; an empty value goes back to the default.
     * @param {string | string[]} [url]
     */
    setServerURL(url) {
      const list = (Array.isArray(url) ? url : [url]).filter((x) => x !== void 0 && x !== null && x !== "");
      this.overrides = list.map((x) => {
        const u = new URL(String(x), typeof location !== "undefined" ? location.href : void 0);
        return u.origin + u.pathname.replace(/\/$/, "");
      });
    }
    /** bases are the HTTP(S) base URLs of the servers, in the order they are tried. */
    bases() {
      return this.overrides.length ? this.overrides.slice() : [this.base()];
    }
    /** base is the HTTP(S) base URL of the (first) server. */
    base() {
      if (this.overrides.length) return this.overrides[0];
      const src = [this.scriptURL, this.moduleURL].find((u) => /^https?:/.test(u));
      if (src) {
        const u = new URL(src);
        const i = u.pathname.lastIndexOf("/sdk/");
        return u.origin + (i > 0 ? u.pathname.slice(0, i) : "");
      }
      if (typeof location !== "undefined" && /^https?:$/.test(location.protocol)) return location.origin;
      throw this.missing();
    }
    /** wsURLs are the WebSocket URLs of the SDK's endpoint on each server, in order. */
    wsURLs() {
      return this.bases().map((b) => this.wsURL(b));
    }
    /**
     * wsURL is the WebSocket URL of the SDK's endpoint on base (the first
     * server by default).
     * @param {string} [base]
     */
    wsURL(base) {
      const u = new URL(base || this.base());
      u.protocol = u.protocol === "https:" || u.protocol === "wss:" ? "wss:" : "ws:";
      u.pathname = u.pathname.replace(/\/$/, "") + this.path;
      u.search = "";
      u.hash = "";
      return u.toString();
    }
  };

  // src/rtc/signal.js
  var locator = new ServerLocator(SIGNAL_PATH, () => new AgoraRTCError("INVALID_OPERATION", "no cohost server URL: call AgoraRTC.setServerURL(url) first"));
  var errors = {
    openFailed: (url, detail) => fail("CAN_NOT_GET_GATEWAY_SERVER", `cannot open ${url}: ${detail}`),
    noAnswer: (url) => fail("CAN_NOT_GET_GATEWAY_SERVER", `no answer from ${url}`),
    refused: (url) => fail("CAN_NOT_GET_GATEWAY_SERVER", `cannot connect to ${url}`),
    closed: (ev) => fail("NETWORK_ERROR", `the connection to the server closed (${ev.code}${ev.reason ? " " + ev.reason : ""})`),
    notConnected: (type) => fail("NETWORK_ERROR", `not connected to the server (${type})`),
    timeout: (type, ms) => fail("TIMEOUT", `no response to ${type} within ${ms} ms`),
    server: serverError
  };
  function newSignal(onEvent, onClose, url) {
    return new Connection(url || locator.wsURL(), {
      onEvent,
      onClose,
      errors,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      onUndecodable: (msg, text) => log.warn(msg, text)
    });
  }

  // src/shared/backoff.js
  var Backoff = class {
    /**
     * @param {{initialMs?: number, maxMs?: number, random?: () => number}} [opts]
     */
    constructor(opts) {
      const o = opts || {};
      this.initialMs = o.initialMs || 100;
      this.maxMs = o.maxMs || 2e3;
      this.random = o.random || Math.random;
      this.attempt = 0;
    }
    /** step is the upper bound of the delay after the given number of failed attempts. */
    step(attempt) {
      return Math.min(this.maxMs, this.initialMs * Math.pow(2, attempt));
    }
    /** next returns the delay before the next attempt, in milliseconds. */
    next() {
      const d = this.step(this.attempt);
      this.attempt++;
      return d / 2 + this.random() * (d / 2);
    }
    reset() {
      this.attempt = 0;
    }
  };
  var sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  async function retry(attempt, keepGoing, backoff) {
    const b = backoff || new Backoff();
    while (keepGoing()) {
      if (await attempt()) return true;
      if (!keepGoing()) break;
      await sleep(b.next());
    }
    return false;
  }

  // src/shared/failover.js
  async function openFirst(urls, open, backoff, keepGoing) {
    let last;
    for (let i = 0; i < urls.length; i++) {
      if (i > 0) await sleep(backoff.next());
      if (i > 0 && !keepGoing()) break;
      try {
        return { url: urls[i], conn: await open(urls[i]) };
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }
  function rotate(urls, first) {
    const i = urls.indexOf(first);
    return i <= 0 ? urls : [...urls.slice(i), ...urls.slice(0, i)];
  }

  // src/rtc/join-connect.js
  var MAX_REDIRECTS = 4;
  var OPEN_TIMEOUT_MS = 1e4;
  async function connectJoin(client, req, urls) {
    let sig = null;
    const open = async (url) => {
      const s = client._newSignal(url);
      sig = s;
      client._signal = s;
      await s.open(OPEN_TIMEOUT_MS);
      return s;
    };
    const stillJoining = () => client._signal === sig;
    try {
      let { url } = await openFirst(urls, open, new Backoff({ initialMs: 100, maxMs: 2e3 }), stillJoining);
      let resp = await sig.request("join", req);
      for (let redirects = 1; resp.redirect; redirects++) {
        if (redirects > MAX_REDIRECTS) {
          throw fail("CAN_NOT_GET_GATEWAY_SERVER", `join redirected ${MAX_REDIRECTS} times; last to node ${resp.redirectNode}`, { nativeCode: 103, nativeName: "ERR_NO_SERVER_RESOURCES" });
        }
        if (!stillJoining()) break;
        log.info(`join redirected to node ${resp.redirectNode} (${resp.redirect})`);
        sig.close();
        url = locator.wsURL(resp.redirect);
        await open(url);
        resp = await sig.request("join", Object.assign({}, req, { redirects }));
      }
      return { sig, resp, url };
    } catch (e) {
      if (sig) sig.close();
      if (sig && client._signal === sig) client._signal = null;
      throw e;
    }
  }

  // src/rtc/validation.js
  var CHANNEL_RE = /^[a-zA-Z0-9 !#$%&()+\-:;<=.>?@[\]^_{}|~,]{1,64}$/;
  var ACCOUNT_RE = /^[a-zA-Z0-9 !#$%&()+\-:;<=.>?@[\]^_{}|~,]{1,255}$/;
  function checkChannel(name, what) {
    if (typeof name !== "string" || !CHANNEL_RE.test(name)) {
      throw fail("INVALID_PARAMS", `${what || "channel name"} must be 1–64 characters of a-z A-Z 0-9 space and !#$%&()+-:;<=.>?@[]^_{}|~, (got ${JSON.stringify(name)})`);
    }
  }
  function isUint32(n) {
    return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 4294967295;
  }
  function checkUid(uid, what) {
    if (!isUint32(uid)) throw fail("INVALID_PARAMS", `${what || "uid"} must be an integer in [0, 2^32-1] (got ${JSON.stringify(uid)})`);
  }
  var ROLES = { host: 1, audience: 2 };
  var ROLE_NAMES = { 1: "host", 2: "audience" };
  var OFFLINE_REASONS = { 0: "Quit", 1: "ServerTimeOut", 2: "BecomeAudience" };
  var DISCONNECT_REASONS = { 3: "UID_BANNED", 9: "TOKEN_EXPIRE", 14: "NETWORK_ERROR", 19: "UID_BANNED", 100: "SERVER_ERROR", 101: "NETWORK_ERROR" };

  // src/rtc/client-failover.js
  var TRANSIENT = /* @__PURE__ */ new Set([
    5,
    // ERR_REFUSED
    10,
    // ERR_TIMEDOUT
    22,
    // ERR_RESOURCE_LIMITED
    103
    // ERR_NO_SERVER_RESOURCES
  ]);
  var clientFailover = {
    // _failoverURLs are the servers a session may move to: the cluster's
    // live nodes, then setServerURL's list, without the session's server.
    _failoverURLs() {
      let listed = [];
      try {
        listed = locator.wsURLs();
      } catch (e) {
        log.debug("no server list", e);
      }
      const all = [...this._nodes.map((u) => locator.wsURL(u)), ...listed];
      return [...new Set(all)].filter((u) => u !== this._serverURL);
    },
    // _serverGone starts the failover when the session's server announced its
    // shutdown; it returns false when there is no other server to go to.
    _serverGone() {
      if (!this._failoverURLs().length || !this._joinReq) return false;
      log.warn("the server is shutting down; joining the channel on another server");
      this._moveAway = true;
      const sig = this._signal;
      if (sig) sig.close();
      this._reconnect();
      return true;
    },
    // _rejoinOnce makes one attempt to join the channel again: through the
    // session's own server first when withHome (the session expired
    // there), then the other servers known. It returns true when there is
    // nothing more to try.
    async _rejoinOnce(withHome) {
      const others = this._failoverURLs();
      const urls = withHome ? [this._serverURL, ...others] : rotate(others, others[Math.floor(Math.random() * others.length)]);
      if (!urls.length) return false;
      const req = Object.assign({}, this._joinReq, { role: ROLES[this._role] });
      if (!req.account && this._wireUid) req.uid = this._wireUid;
      let sig, resp, url;
      try {
        ({ sig, resp, url } = await connectJoin(this, req, urls));
      } catch (e) {
        const code = e.data && e.data.nativeCode;
        if (code && !TRANSIENT.has(code)) {
          log.warn("the channel could not be joined again", e);
          this._teardown(e.code === "TOKEN_EXPIRE" ? "TOKEN_EXPIRE" : "NETWORK_ERROR");
          return true;
        }
        log.debug("rejoin attempt failed", e);
        return false;
      }
      if (this._state !== "RECONNECTING" || this._signal !== sig) {
        sig.close();
        return true;
      }
      const tracks = [.../* @__PURE__ */ new Set([...this._republishing, ...this._localTracks])];
      this._moveSession();
      this._serverURL = url;
      this._lastSeq = 0;
      this._moveAway = false;
      this._expired = false;
      this._applyJoin(resp);
      this._reconnecting = null;
      const relay = this._relayToContinue();
      this._setState("CONNECTED");
      this._startTimers();
      log.info(`joined the channel again on ${url}`);
      let published = Promise.resolve();
      if (tracks.length && !(this.mode === "live" && this._role === "audience")) {
        this._republishing = tracks;
        const done = () => {
          if (this._republishing === tracks) this._republishing = [];
        };
        published = this.publish(tracks).then(done, (e) => {
          log.warn("publishing again after the rejoin failed", e);
          done();
        });
      }
      if (relay) this._continueRelay(relay, published);
      return true;
    },
    // _moveSession forgets the peer connections of the previous session and
    // its publications (the tracks stay the app's, published again), and
    // keeps the remote users and subscriptions until the new server
    // announces them again (_reannounced) or the drop timeout passes
    // (_dropAway).
    _moveSession() {
      for (const t of this._localTracks) t._clients.delete(this);
      this._localTracks = [];
      if (this._up) this._up.close();
      if (this._down) this._down.close();
      this._up = this._down = null;
      this._downMids.clear();
      const away = { users: new Set(this._users.keys()), tracks: /* @__PURE__ */ new Set() };
      for (const u of this._users.values()) {
        for (const mt of ["audio", "video"]) if (u._published[mt]) away.tracks.add(`${u._wireUid}:${mt}`);
      }
      for (const sub of this._subs.values()) sub.stale = true;
      this._away = away;
      clearTimeout(this._awayTimer);
      this._awayTimer = setTimeout(() => this._dropAway(away), this._dropTimeoutMs);
    },
    // _reannounced handles a user-published of the new session for a track
    // published before the move: the subscription to it is renewed without
    // an event, unless the track changed (its codec). It returns false for
    // a track that is new to the app.
    _reannounced(u, d) {
      const key = `${d.uid}:${d.mediaType}`;
      if (!this._away || !this._away.tracks.delete(key) || !u._published[d.mediaType]) return false;
      const changed = u._codec[d.mediaType] !== (d.codec || "");
      const wasMuted = u._muted[d.mediaType];
      u._codec[d.mediaType] = d.codec || "";
      u._muted[d.mediaType] = false;
      const sub = this._subs.get(key);
      if (sub && sub.stale) {
        this._request("subscribe", { uid: d.uid, mediaType: d.mediaType }).catch((e) => {
          log.warn(`renewing the subscription to ${u.uid}'s ${d.mediaType} failed`, e);
          if (this._subs.get(key) === sub) this._dropSub(u, d.mediaType);
        });
      }
      if (wasMuted) this.emit("user-info-updated", u.uid, `unmute-${d.mediaType}`);
      if (changed || wasMuted) this.emit("user-published", u, d.mediaType);
      return true;
    },
    // _dropAway reports gone what the new server has not announced within
    // the drop timeout after the move: users (user-left) and tracks of users
    // who are back (user-unpublished).
    _dropAway(away) {
      if (this._away !== away) return;
      this._away = null;
      for (const uid of away.users) {
        const u = this._users.get(uid);
        if (!u) continue;
        this._users.delete(uid);
        for (const mt of ["audio", "video"]) this._unpublished(u, mt);
        this.emit("user-left", u, "ServerTimeOut");
      }
      for (const key of away.tracks) {
        const [uidStr, mt] = key.split(":");
        const u = this._users.get(Number(uidStr));
        if (u && u._published[mt]) this._unpublished(u, mt);
      }
    },
    // _clearAway forgets a pending _dropAway (the session ended).
    _clearAway() {
      clearTimeout(this._awayTimer);
      this._awayTimer = null;
      this._away = null;
    }
  };

  // src/rtc/client-reconnect.js
  var NOT_IN_CHANNEL = 113;
  var MAX_BACKOFF_MS = 2e3;
  var CLUSTER_MAX_BACKOFF_MS = 500;
  var clientReconnect = {
    _onSignalClose(sig, ev) {
      if (sig !== this._signal || this._ended) return;
      if (this._state === "DISCONNECTING" || this._state === "DISCONNECTED") return;
      if (this._state === "CONNECTING") return;
      log.warn(`signalling connection lost (${ev && ev.code}); resuming the session`);
      this._reconnect();
    },
    // _sessionEnded follows the server's end of the session for a missed
    // keep-alive (KEEP_ALIVE_TIMEOUT): the client is reachable again, so it
    // joins the channel again at once.
    _sessionEnded() {
      if (!this._joinReq) return false;
      log.warn("the server dropped the session (keep-alive timeout); joining the channel again");
      this._expired = true;
      const sig = this._signal;
      if (sig) sig.close();
      this._reconnect();
      return true;
    },
    async _reconnect() {
      if (this._reconnecting) return;
      clearInterval(this._pingTimer);
      this._setState("RECONNECTING");
      const lostAt = Date.now();
      const deadline = lostAt + this._dropTimeoutMs;
      const giveUp = lostAt + this._reconnectTimeoutMs;
      this._reconnecting = true;
      try {
        const keepGoing = () => this._state === "RECONNECTING" && Date.now() < giveUp;
        const maxMs = this._failoverURLs().length ? CLUSTER_MAX_BACKOFF_MS : MAX_BACKOFF_MS;
        const done = await retry(() => this._reconnectOnce(deadline), keepGoing, new Backoff({ initialMs: 100, maxMs }));
        if (done) return;
        if (this._state === "RECONNECTING") {
          log.warn(`could not get back into the channel within ${this._reconnectTimeoutMs} ms; giving up`);
          this._teardown("NETWORK_ERROR");
        }
      } finally {
        this._reconnecting = null;
      }
    },
    // _reconnectOnce makes one attempt to get back into the channel; it
    // returns true when there is nothing more to try (back, left, or ended).
    _reconnectOnce(deadline) {
      if (this._moveAway) return this._rejoinOnce(false);
      if (!this._expired && Date.now() >= deadline) {
        log.warn("the server has dropped the session (drop timeout passed); joining the channel again");
        this._expired = true;
      }
      if (this._expired) return this._rejoinOnce(true);
      return this._resumeOnce(deadline);
    },
    // _resumeOnce makes one attempt to resume the session on a new
    // connection. When that server cannot be reached the attempt joins on
    // another one instead (client-failover.js); when the session expired
    // there, it joins the channel again.
    async _resumeOnce(deadline) {
      const sig = this._newSignal(this._serverURL);
      let opened = false;
      try {
        await sig.open(Math.max(1e3, Math.min(5e3, deadline - Date.now())));
        opened = true;
        if (this._state !== "RECONNECTING") {
          sig.close();
          return true;
        }
        this._signal = sig;
        const resp = await sig.request("resume", { version: PROTOCOL_VERSION, sessionId: this._sessionId, lastSeq: this._lastSeq }, 5e3);
        if (this._state !== "RECONNECTING") {
          sig.close();
          return true;
        }
        this._applyJoin(resp);
        this._reconnecting = null;
        this._setState("CONNECTED");
        this._startTimers();
        if (this._up && this._localTracks.length) {
          this._upQueue.run(() => this._negotiateUp({ iceRestart: true })).catch((e) => log.warn("ICE restart after resume failed", e));
        }
        return true;
      } catch (e) {
        sig.close();
        if (this._signal === sig) this._signal = null;
        if (e.data && e.data.nativeCode === NOT_IN_CHANNEL) {
          log.warn("the session expired on the server; joining the channel again");
          this._expired = true;
          return this._rejoinOnce(true);
        }
        log.debug("resume attempt failed", e);
        if (!opened) return this._rejoinOnce(false);
        return false;
      }
    }
  };

  // src/rtc/stats.js
  async function pollStats(client) {
    if (client._state !== "CONNECTED") return;
    const now = Date.now();
    const rate = (id, bytes, ts) => {
      const prev = client._prevBytes.get(id);
      client._prevBytes.set(id, { bytes, ts });
      return prev && ts > prev.ts ? (bytes - prev.bytes) * 8 * 1e3 / (ts - prev.ts) : 0;
    };
    let recvBytes = 0, sendBytes = 0, recvBitrate = 0, sendBitrate = 0, rtt = 0;
    const down = client._down;
    if (down) {
      const report = await down.getStats();
      if (client._down !== down) return;
      const rtpBy = /* @__PURE__ */ new Map();
      report.forEach((s) => {
        if (s.type === "inbound-rtp") rtpBy.set(s.mid, s);
        if (s.type === "transport") recvBytes += s.bytesReceived || 0;
        if (s.type === "candidate-pair" && s.nominated && s.currentRoundTripTime) rtt = s.currentRoundTripTime * 1e3;
      });
      for (const [key, sub] of client._subs) {
        if (!sub.track) continue;
        let s = null;
        for (const [mid, info] of client._downMids) if (`${info.uid}:${info.mediaType}` === key) s = rtpBy.get(mid);
        if (!s) continue;
        const br = rate(s.id, s.bytesReceived || 0, s.timestamp);
        recvBitrate += br;
        const lost = s.packetsLost || 0;
        const total = (s.packetsReceived || 0) + lost;
        const common = {
          receiveBytes: s.bytesReceived || 0,
          receivePackets: s.packetsReceived || 0,
          receivePacketsLost: lost,
          packetLossRate: total ? lost / total : 0,
          receiveBitrate: br,
          codecType: sub.track._codec,
          transportDelay: rtt / 2,
          end2EndDelay: rtt / 2 + (s.jitterBufferDelay && s.jitterBufferEmittedCount ? s.jitterBufferDelay / s.jitterBufferEmittedCount * 1e3 : 0),
          receiveDelay: s.jitterBufferDelay && s.jitterBufferEmittedCount ? s.jitterBufferDelay / s.jitterBufferEmittedCount * 1e3 : 0,
          totalDuration: (now - client._joinedAt) / 1e3
        };
        if (sub.track.trackMediaType === "video") {
          sub.track._stats = Object.assign(common, {
            receiveResolutionWidth: s.frameWidth || 0,
            receiveResolutionHeight: s.frameHeight || 0,
            receiveFrameRate: s.framesPerSecond || 0,
            decodeFrameRate: s.framesPerSecond || 0,
            renderFrameRate: s.framesPerSecond || 0,
            framesDecoded: s.framesDecoded || 0,
            totalFreezeTime: s.totalFreezesDuration || 0,
            freezeRate: 0
          });
        } else {
          sub.track._stats = Object.assign(common, {
            receiveLevel: Math.round((s.audioLevel || 0) * 32767),
            audioLevel: s.audioLevel || 0,
            totalSamplesReceived: s.totalSamplesReceived || 0,
            freezeRate: 0
          });
        }
      }
    }
    const up = client._up;
    if (up) {
      const report = await up.getStats();
      if (client._up !== up) return;
      const out = /* @__PURE__ */ new Map();
      report.forEach((s) => {
        if (s.type === "outbound-rtp") out.set(s.mid, s);
        if (s.type === "transport") sendBytes += s.bytesSent || 0;
      });
      client._localStats = { audio: null, video: null };
      for (const tr of up.getTransceivers()) {
        const t = tr._cohostTrack;
        const s = t && out.get(tr.mid);
        if (!s) continue;
        const br = rate(s.id, s.bytesSent || 0, s.timestamp);
        sendBitrate += br;
        const common = { sendBytes: s.bytesSent || 0, sendPackets: s.packetsSent || 0, sendBitrate: br, codecType: "", currentPacketLossRate: 0 };
        if (t.trackMediaType === "video") {
          client._localStats.video = Object.assign(common, {
            sendResolutionWidth: s.frameWidth || 0,
            sendResolutionHeight: s.frameHeight || 0,
            sendFrameRate: s.framesPerSecond || 0,
            encodeDelay: s.totalEncodeTime && s.framesEncoded ? s.totalEncodeTime / s.framesEncoded * 1e3 : 0,
            framesEncoded: s.framesEncoded || 0,
            targetSendBitrate: t._encoder && t._encoder.bitrateMax * 1e3 || 0,
            totalDuration: (now - client._joinedAt) / 1e3
          });
        } else {
          client._localStats.audio = common;
        }
      }
    }
    client._rtcStats = {
      Duration: Math.round((now - client._joinedAt) / 1e3),
      RecvBytes: recvBytes,
      SendBytes: sendBytes,
      RecvBitrate: recvBitrate,
      SendBitrate: sendBitrate,
      UserCount: client._users.size + 1,
      RTT: rtt,
      OutgoingAvailableBandwidth: 0
    };
  }
  var clientStats = {
    getRTCStats() {
      return Object.assign({}, this._rtcStats);
    },
    getLocalVideoStats() {
      return this._localStats.video || {};
    },
    getLocalAudioStats() {
      return this._localStats.audio || {};
    },
    _remoteStats(kind) {
      const out = {};
      for (const u of this._users.values()) {
        const sub = this._subs.get(`${u._wireUid}:${kind}`);
        if (sub && sub.track) out[u.uid] = sub.track._stats;
      }
      return out;
    },
    getRemoteVideoStats() {
      return this._remoteStats("video");
    },
    getRemoteAudioStats() {
      return this._remoteStats("audio");
    },
    getRemoteNetworkQuality() {
      const out = {};
      for (const u of this._users.values()) out[u.uid] = { uplinkNetworkQuality: 0, downlinkNetworkQuality: 0 };
      return out;
    },
    // enableAudioVolumeIndicator: a "volume-indicator" event every two
    // seconds with [{uid, level}] (0–100) for subscribed audio.
    enableAudioVolumeIndicator() {
      clearInterval(this._volumeTimer);
      this._volumeTimer = setInterval(() => {
        const res = [];
        for (const u of this._users.values()) {
          const sub = this._subs.get(`${u._wireUid}:audio`);
          if (sub && sub.track) res.push({ uid: u.uid, level: Math.round((sub.track._stats.audioLevel || 0) * 100) });
        }
        const mic = this._localTracks.find((t) => t.trackMediaType === "audio");
        if (mic && this.uid !== void 0) res.push({ uid: this.uid, level: Math.round(mic.getVolumeLevel() * 100) });
        this.emit("volume-indicator", res);
      }, 2e3);
    }
  };

  // src/rtc/relay-config.js
  var RELAY_STATES = ["RELAY_STATE_IDLE", "RELAY_STATE_CONNECTING", "RELAY_STATE_RUNNING", "RELAY_STATE_FAILURE"];
  var RELAY_ERRORS = [
    "RELAY_OK",
    "SERVER_ERROR_RESPONSE",
    "SERVER_NO_RESPONSE",
    "NO_RESOURCE_AVAILABLE",
    "FAILED_JOIN_SRC",
    "FAILED_JOIN_DEST",
    "FAILED_PACKET_RECEIVED_FROM_SRC",
    "FAILED_PACKET_SENT_TO_DEST",
    "SERVER_CONNECTION_LOST",
    "INTERNAL_ERROR",
    "SRC_TOKEN_EXPIRED",
    "DEST_TOKEN_EXPIRED"
  ];
  var RELAY_EVENTS = [
    "NETWORK_DISCONNECTED",
    "NETWORK_CONNECTED",
    "PACKET_JOINED_SRC_CHANNEL",
    "PACKET_JOINED_DEST_CHANNEL",
    "PACKET_SENT_TO_DEST_CHANNEL",
    "PACKET_RECEIVED_VIDEO_FROM_SRC",
    "PACKET_RECEIVED_AUDIO_FROM_SRC",
    "PACKET_UPDATE_DEST_CHANNEL",
    "PACKET_UPDATE_DEST_CHANNEL_REFUSED",
    "PACKET_UPDATE_DEST_CHANNEL_NOT_CHANGE",
    "PACKET_UPDATE_DEST_CHANNEL_IS_NULL",
    "VIDEO_PROFILE_UPDATE",
    "PAUSE_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS",
    "PAUSE_SEND_PACKET_TO_DEST_CHANNEL_FAILED",
    "RESUME_SEND_PACKET_TO_DEST_CHANNEL_SUCCESS",
    "RESUME_SEND_PACKET_TO_DEST_CHANNEL_FAILED"
  ];
  function checkMediaInfo(info, what) {
    if (!info || typeof info !== "object") throw fail("INVALID_PARAMS", `${what} must be {channelName, token, uid}`);
    checkChannel(info.channelName, `${what}.channelName`);
    if (info.uid !== void 0 && info.uid !== null) checkUid(info.uid, `${what}.uid`);
    if (info.token !== void 0 && info.token !== null && typeof info.token !== "string") throw fail("INVALID_PARAMS", `${what}.token must be a string`);
    return { channelName: info.channelName, token: info.token || "", uid: info.uid || 0 };
  }
  var ChannelMediaRelayConfiguration = class {
    constructor() {
      this._src = null;
      this._dests = /* @__PURE__ */ new Map();
    }
    setSrcChannelInfo(info) {
      if (!info || typeof info !== "object") throw fail("INVALID_PARAMS", "srcInfo must be {channelName, token, uid}");
      const src = { channelName: info.channelName || "", token: info.token || "", uid: info.uid || 0 };
      if (src.channelName) checkChannel(src.channelName, "srcInfo.channelName");
      checkUid(src.uid, "srcInfo.uid");
      this._src = src;
    }
    addDestChannelInfo(info) {
      const d = checkMediaInfo(info, "destInfo");
      this._dests.set(d.channelName, d);
    }
    removeDestChannelInfo(channelName) {
      checkChannel(channelName, "channelName");
      this._dests.delete(channelName);
    }
    _request() {
      return { src: this._src || { channelName: "", token: "", uid: 0 }, dests: Array.from(this._dests.values()) };
    }
  };

  // src/rtc/client-relay.js
  var clientRelay = {
    _relayRequest(config) {
      if (!(config instanceof ChannelMediaRelayConfiguration)) throw fail("INVALID_PARAMS", "config must be a ChannelMediaRelayConfiguration");
      return config._request();
    },
    async startChannelMediaRelay(config) {
      const req = this._relayRequest(config);
      this._requireJoined("startChannelMediaRelay");
      await this._request("relay-start", req);
      this._relayReq = req;
      this._relayPaused = false;
    },
    async updateChannelMediaRelay(config) {
      const req = this._relayRequest(config);
      this._requireJoined("updateChannelMediaRelay");
      await this._request("relay-update", req);
      this._relayReq = req;
    },
    async stopChannelMediaRelay() {
      this._requireJoined("stopChannelMediaRelay");
      await this._request("relay-stop");
    },
    // pauseAllChannelMediaRelay / resumeAllChannelMediaRelay: the native
    // SDK's calls (cohost extension on the Web).
    async pauseAllChannelMediaRelay() {
      this._requireJoined("pauseAllChannelMediaRelay");
      await this._request("relay-pause");
      this._relayPaused = true;
    },
    async resumeAllChannelMediaRelay() {
      this._requireJoined("resumeAllChannelMediaRelay");
      await this._request("relay-resume");
      this._relayPaused = false;
    },
    // _relayToContinue is called when the session joined the channel again on
    // another node, where its relay does not run: a running relay reports
    // NETWORK_DISCONNECTED now and its request is returned, to be sent again
    // (_continueRelay) once the tracks are published again; null when no
    // relay runs.
    _relayToContinue() {
      if (this._relay !== "RELAY_STATE_RUNNING" || !this._relayReq) return null;
      this.emit("channel-media-relay-event", "NETWORK_DISCONNECTED", void 0);
      return Object.assign({}, this._relayReq, { rejoin: true, paused: !!this._relayPaused });
    },
    // _continueRelay asks the new node to continue the relay, paused if it
    // was, once published settles: the server joins the destinations again
    // and reports NETWORK_CONNECTED for each. A refusal ends the relay with
    // RELAY_STATE_FAILURE (SERVER_CONNECTION_LOST).
    _continueRelay(req, published) {
      const sig = this._signal;
      published.then(() => this._request("relay-start", req)).catch((e) => {
        if (this._signal !== sig || this._relay !== "RELAY_STATE_RUNNING") return;
        log.warn("the channel media relay could not be continued on the new server", e);
        this._relay = "RELAY_STATE_FAILURE";
        this._relayPaused = false;
        this.emit("channel-media-relay-state", "RELAY_STATE_FAILURE", "SERVER_CONNECTION_LOST", void 0);
      });
    }
  };

  // src/rtc/client-proxy.js
  var PROXY_NONE = 0;
  var PROXY_UDP = 3;
  var PROXY_TLS = 5;
  function proxyURLs(urls, mode) {
    const tls = urls.filter((u) => u.startsWith("turns:"));
    const tcp = urls.filter((u) => u.startsWith("turn:") && u.includes("transport=tcp"));
    const udp = urls.filter((u) => u.startsWith("turn:") && !u.includes("transport=tcp"));
    if (mode === PROXY_UDP) return udp;
    return tls.length > 0 ? tls : tcp;
  }
  var clientProxy = {
    /** @param {number} [mode] 3: UDP relay (the default); 5: TCP/TLS relay on port 443. */
    startProxyServer(mode = PROXY_UDP) {
      if (mode !== PROXY_UDP && mode !== PROXY_TLS) {
        throw fail("INVALID_PARAMS", `proxy mode ${String(mode)}: 3 (UDP) or 5 (TCP/TLS) only`);
      }
      this._requireIdle("startProxyServer");
      this._proxyMode = mode;
    },
    stopProxyServer() {
      this._requireIdle("stopProxyServer");
      this._proxyMode = PROXY_NONE;
    },
    _requireIdle(what) {
      if (this._state !== "DISCONNECTED") {
        throw fail("INVALID_OPERATION", `${what}: call it before join or after leave`);
      }
    },
    /** @param {{urls: string[], username?: string, credential?: string}[] | undefined} servers */
    _setServerIceServers(servers) {
      this._serverIceServers = Array.isArray(servers) ? servers : [];
    },
    /**
     * The ICE part of the peer connections' configuration: the app's TURN
     * servers (setTurnServer) and the server's; under a proxy only the
     * server's of that kind, relayed only.
     * @returns {{iceServers: RTCIceServer[], iceTransportPolicy: RTCIceTransportPolicy}}
     */
    _iceConfig() {
      const server = (this._serverIceServers || []).map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }));
      const mode = this._proxyMode || PROXY_NONE;
      if (mode === PROXY_NONE) {
        return { iceServers: [...this._iceServers || [], ...server], iceTransportPolicy: "all" };
      }
      const relayed = server.map((s) => ({ ...s, urls: proxyURLs(s.urls || [], mode) })).filter((s) => s.urls.length > 0);
      return { iceServers: relayed, iceTransportPolicy: "relay" };
    },
    // _renewIceServers takes the fresh credentials of a token renewal: the
    // peer connections use them from their next ICE gathering (a restart).
    _renewIceServers(servers) {
      this._setServerIceServers(servers);
      for (const pc of [this._up, this._down]) {
        if (!pc || pc.connectionState === "closed") continue;
        try {
          pc.setConfiguration({ ...pc.getConfiguration(), ...this._iceConfig() });
        } catch (e) {
          log.warn("cannot update the TURN servers", e);
        }
      }
    },
    /** Throws CAN_NOT_GET_PROXY_SERVER when a forced proxy has no server. */
    _checkProxy() {
      if ((this._proxyMode || PROXY_NONE) !== PROXY_NONE && this._iceConfig().iceServers.length === 0) {
        throw fail("CAN_NOT_GET_PROXY_SERVER", `the server offers no TURN relay for proxy mode ${this._proxyMode}`);
      }
    }
  };
  function installClientProxy(cls) {
    const proto = cls.prototype;
    const { _pcConfig: pcConfig, _applyJoin: applyJoin, _request: request, join } = proto;
    proto._pcConfig = function() {
      return { ...pcConfig.call(this), ...clientProxy._iceConfig.call(this) };
    };
    proto._applyJoin = function(resp) {
      applyJoin.call(this, resp);
      clientProxy._renewIceServers.call(this, resp && resp.iceServers);
    };
    proto._request = async function(type, ...rest) {
      const resp = await request.call(this, type, ...rest);
      if (type === "renew-token" && resp && resp.iceServers) clientProxy._renewIceServers.call(this, resp.iceServers);
      return resp;
    };
    proto.join = async function(...args) {
      const uid = await join.apply(this, args);
      try {
        clientProxy._checkProxy.call(this);
      } catch (e) {
        await this.leave();
        throw e;
      }
      return uid;
    };
  }

  // src/rtc/client-compat.js
  var notSupported = (what) => fail("NOT_SUPPORTED", `cohost does not support ${what}`);
  var HIGH_STREAM = 0;
  var LOW_STREAM = 1;
  var FALLBACK_DISABLE = 0;
  function checkRemoteUid(uid) {
    const ok = Number.isInteger(uid) && uid >= 0 && uid <= 4294967295 || typeof uid === "string" && uid !== "";
    if (!ok) throw fail("INVALID_PARAMS", "invalid uid", uid);
  }
  function checkStreamType(streamType) {
    if (streamType === HIGH_STREAM) return;
    if (streamType === LOW_STREAM) throw notSupported("dual stream (one stream is forwarded per publisher)");
    throw fail("INVALID_PARAMS", "invalid remote stream type", streamType);
  }
  var clientCompat = {
    // massSubscribe subscribes to each {user, mediaType} and resolves with
    // one result each: {user, mediaType, track} or {user, mediaType, error}.
    async massSubscribe(subscribeList) {
      return Promise.all((subscribeList || []).map(async ({ user, mediaType }) => {
        try {
          return { user, mediaType, track: await this.subscribe(user, mediaType) };
        } catch (error) {
          return { user, mediaType, error };
        }
      }));
    },
    async massUnsubscribe(unsubscribeList) {
      for (const { user, mediaType } of unsubscribeList || []) await this.unsubscribe(user, mediaType);
    },
    // getNetworkQuality: 0 is Agora's "unknown" (cohost does not rate links).
    getNetworkQuality() {
      return { uplinkNetworkQuality: 0, downlinkNetworkQuality: 0 };
    },
    // getNtpWallTimeInMs: 0 as Agora's when not synchronised with NTP.
    getNtpWallTimeInMs() {
      return 0;
    },
    get localDataChannels() {
      return [];
    },
    async presubscribe() {
      throw notSupported("presubscribe");
    },
    pickSVCLayer() {
      throw notSupported("SVC layers");
    },
    async setLiveTranscoding() {
      throw notSupported("CDN live streaming");
    },
    async startLiveStreaming() {
      throw notSupported("CDN live streaming");
    },
    async stopLiveStreaming() {
      throw notSupported("CDN live streaming");
    },
    async enableContentInspect() {
      throw notSupported("content inspection");
    },
    async disableContentInspect() {
      throw notSupported("content inspection");
    },
    async setImageModeration() {
      throw notSupported("image moderation");
    },
    setLocalAccessPointsV2() {
      throw notSupported("local access points");
    },
    setProxyServer() {
      throw notSupported("Agora's proxy servers");
    },
    // Agora's cloud services: analytics for Agora's console, a licence for
    // Agora's cloud, the RTM configuration of Agora's RTC-RTM link.
    async sendCustomReportMessage() {
      throw notSupported("custom reports to Agora's console");
    },
    setLicense() {
      throw notSupported("Agora licences");
    },
    setRTMConfig() {
      throw notSupported("Agora's RTM configuration of an RTC client");
    },
    // Dual stream: cohost forwards one stream per publisher, the one it
    // sends. Asking for what cohost does (dual stream off, the high stream,
    // no fallback) succeeds; asking for a low stream or a fallback fails.
    async enableDualStream() {
      throw notSupported("dual stream (one stream is forwarded per publisher)");
    },
    async disableDualStream() {
    },
    async setDualStreamMode() {
      throw notSupported("dual stream (one stream is forwarded per publisher)");
    },
    setLowStreamParameter() {
      throw notSupported("dual stream (one stream is forwarded per publisher)");
    },
    async setRemoteVideoStreamType(uid, streamType) {
      checkRemoteUid(uid);
      checkStreamType(streamType);
    },
    async setRemoteDefaultVideoStreamType(streamType) {
      checkStreamType(streamType);
    },
    async setStreamFallbackOption(uid, fallbackType) {
      checkRemoteUid(uid);
      if (!Number.isInteger(fallbackType) || fallbackType < 0 || fallbackType > 8) throw fail("INVALID_PARAMS", "invalid stream fallback type", fallbackType);
      if (fallbackType !== FALLBACK_DISABLE) throw notSupported("stream fallback (one stream is forwarded per publisher)");
    },
    // setEncryptionConfig: cohost's media is encrypted hop by hop (DTLS-SRTP
    // between each client and the server), never end to end: only "none"
    // is true, and asking for anything else throws rather than letting the
    // application believe its media is end-to-end encrypted.
    setEncryptionConfig(encryptionMode) {
      if (encryptionMode === "none") return;
      throw notSupported(`end-to-end media encryption (${String(encryptionMode)})`);
    }
  };
  function installClientCompat(cls, ...sources) {
    for (const src of [clientCompat, clientProxy, ...sources]) Object.defineProperties(cls.prototype, Object.getOwnPropertyDescriptors(src));
    installClientProxy(cls);
  }

  // src/rtc/media.js
  var VIDEO_PRESETS = {
    "120p": [160, 120, 15, 65],
    "120p_1": [160, 120, 15, 65],
    "120p_3": [120, 120, 15, 50],
    "180p": [320, 180, 15, 140],
    "180p_1": [320, 180, 15, 140],
    "180p_3": [180, 180, 15, 100],
    "180p_4": [240, 180, 15, 120],
    "240p": [320, 240, 15, 200],
    "240p_1": [320, 240, 15, 200],
    "240p_3": [240, 240, 15, 140],
    "240p_4": [424, 240, 15, 220],
    "360p": [640, 360, 15, 400],
    "360p_1": [640, 360, 15, 400],
    "360p_3": [360, 360, 15, 260],
    "360p_4": [640, 360, 30, 600],
    "360p_6": [360, 360, 30, 400],
    "360p_7": [480, 360, 15, 320],
    "360p_8": [480, 360, 30, 490],
    "360p_9": [640, 360, 15, 800],
    "360p_10": [640, 360, 24, 800],
    "360p_11": [640, 360, 24, 1e3],
    "480p": [640, 480, 15, 500],
    "480p_1": [640, 480, 15, 500],
    "480p_2": [640, 480, 30, 1e3],
    "480p_3": [480, 480, 15, 400],
    "480p_4": [640, 480, 30, 750],
    "480p_6": [480, 480, 30, 600],
    "480p_8": [848, 480, 15, 610],
    "480p_9": [848, 480, 30, 930],
    "480p_10": [640, 480, 10, 400],
    "720p": [1280, 720, 15, 1130],
    "720p_1": [1280, 720, 15, 1130],
    "720p_2": [1280, 720, 30, 2e3],
    "720p_3": [1280, 720, 30, 1710],
    "720p_5": [960, 720, 15, 910],
    "720p_6": [960, 720, 30, 1380],
    "1080p": [1920, 1080, 15, 2080],
    "1080p_1": [1920, 1080, 15, 2080],
    "1080p_2": [1920, 1080, 30, 3e3],
    "1080p_3": [1920, 1080, 30, 3150],
    "1080p_5": [1920, 1080, 60, 4780]
  };
  function videoEncoderConfig(cfg) {
    if (cfg === void 0 || cfg === null) cfg = "480p_1";
    if (typeof cfg === "string") {
      const p = VIDEO_PRESETS[cfg];
      if (!p) throw fail("INVALID_PARAMS", `unknown video encoder preset "${cfg}"`);
      return { width: p[0], height: p[1], frameRate: p[2], bitrateMax: p[3] };
    }
    const num = (v) => typeof v === "object" && v !== null ? v.ideal ?? v.max ?? v.exact ?? v.min : v;
    return { width: num(cfg.width), height: num(cfg.height), frameRate: num(cfg.frameRate), bitrateMax: cfg.bitrateMax, bitrateMin: cfg.bitrateMin };
  }
  function videoConstraints(enc, deviceId, facingMode) {
    const c = {};
    if (enc.width) c.width = { ideal: enc.width };
    if (enc.height) c.height = { ideal: enc.height };
    if (enc.frameRate) c.frameRate = { ideal: enc.frameRate };
    if (deviceId) c.deviceId = { exact: deviceId };
    if (facingMode) c.facingMode = facingMode;
    return c;
  }
  function audioConstraints(cfg) {
    const c = {};
    if (cfg.microphoneId) c.deviceId = { exact: cfg.microphoneId };
    if (cfg.AEC !== void 0) c.echoCancellation = !!cfg.AEC;
    if (cfg.AGC !== void 0) c.autoGainControl = !!cfg.AGC;
    if (cfg.ANS !== void 0) c.noiseSuppression = !!cfg.ANS;
    return Object.keys(c).length ? c : true;
  }
  async function getUserMedia(constraints) {
    if (typeof navigator === "undefined" || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw fail("NOT_SUPPORTED", "this browser cannot capture media (navigator.mediaDevices is missing; is the page served over HTTPS?)");
    }
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch (e) {
      const map = {
        NotAllowedError: "PERMISSION_DENIED",
        SecurityError: "PERMISSION_DENIED",
        NotFoundError: "DEVICE_NOT_FOUND",
        NotReadableError: "NOT_READABLE",
        OverconstrainedError: "CONSTRAINT_NOT_SATISFIED",
        AbortError: "OPERATION_ABORTED"
      };
      throw fail(map[e && e.name] || "UNEXPECTED_ERROR", `${e && e.name || "Error"}: ${e && e.message || e}`);
    }
  }

  // src/rtc/autoplay.js
  var handler = null;
  function onAutoplayFailed(fn) {
    handler = fn;
  }
  function autoplayFailed(kind) {
    if (handler) handler(kind);
  }

  // src/rtc/player.js
  var Player = class {
    constructor(track, element, config) {
      this.track = track;
      this.container = null;
      this.media = null;
      if (track.trackMediaType === "video") {
        const div = document.createElement("div");
        div.id = `agora-video-player-${track.getTrackId()}`;
        div.className = "agora_video_player_container";
        div.style.cssText = "width:100%;height:100%;position:relative;overflow:hidden;background-color:#000";
        const v = document.createElement("video");
        v.className = "agora_video_player";
        v.autoplay = true;
        v.muted = true;
        v.playsInline = true;
        v.setAttribute("playsinline", "");
        const fit = config && config.fit || "cover";
        v.style.cssText = `width:100%;height:100%;position:absolute;left:0;top:0;object-fit:${fit}`;
        if (config && config.mirror) v.style.transform = "rotateY(180deg)";
        div.appendChild(v);
        resolveElement(element).appendChild(div);
        this.container = div;
        this.media = v;
      } else {
        const a = document.createElement("audio");
        a.autoplay = true;
        a.style.display = "none";
        document.body.appendChild(a);
        this.container = a;
        this.media = a;
        if (track._sinkId && a.setSinkId) a.setSinkId(track._sinkId).catch((e) => log.warn("setSinkId", e));
      }
      this.update();
    }
    update() {
      const mst = this.track._mst;
      this.media.srcObject = mst ? new MediaStream([mst]) : null;
      if (mst) {
        const p = this.media.play();
        if (p && p.catch) {
          p.catch((e) => {
            log.warn("autoplay was blocked", e && e.name);
            autoplayFailed(this.track.trackMediaType);
          });
        }
      }
    }
    setVolume(v) {
      if (this.media && this.track.trackMediaType === "audio") this.media.volume = Math.max(0, Math.min(1, v / 100));
    }
    destroy() {
      if (this.media) this.media.srcObject = null;
      if (this.container && this.container.parentNode) this.container.parentNode.removeChild(this.container);
      this.container = this.media = null;
    }
  };

  // src/rtc/audio-context.js
  var ctx = null;
  function sharedAudioContext() {
    ctx = ctx || new AudioContext();
    return ctx;
  }
  function existingAudioContext() {
    return ctx;
  }

  // src/rtc/track-compat.js
  var notSupported2 = (what) => fail("NOT_SUPPORTED", `cohost does not support ${what}`);
  var localTrackCompat = {
    // replaceTrack swaps the MediaStreamTrack, in every client the track is
    // published in; stopOldTrack stops the old one.
    async replaceTrack(track, stopOldTrack) {
      if (!track || track.kind !== this.trackMediaType) throw fail("INVALID_PARAMS", `replaceTrack needs a ${this.trackMediaType} MediaStreamTrack`);
      const old = this._mst;
      await this._replace(track);
      if (stopOldTrack && old && old !== track) old.stop();
    },
    // getRTCRtpTransceiver: the transceiver sending this track (in the first
    // client it is published in), or undefined.
    getRTCRtpTransceiver() {
      for (const c of this._clients) {
        const tr = c._transceiverOf(this);
        if (tr) return tr;
      }
      return void 0;
    },
    pipe() {
      throw notSupported2("Agora extensions (pipe)");
    },
    unpipe() {
      throw notSupported2("Agora extensions (unpipe)");
    },
    get processorDestination() {
      throw notSupported2("Agora extensions (processorDestination)");
    },
    useExtension() {
      throw notSupported2("Agora extensions");
    },
    removeExtension() {
      throw notSupported2("Agora extensions");
    }
  };
  var videoTrackCompat = {
    // clone: a new local video track of a clone of this one's MediaStreamTrack.
    clone(config, cloneTrack) {
      const mst = cloneTrack === false ? this._mst : this._mst && this._mst.clone();
      const Cls = Object.getPrototypeOf(this).constructor;
      return new Cls(mst, { encoder: config && config.encoderConfig || this._encoder, optimizationMode: this._optimizationMode });
    },
    // getCurrentFrameImage: the current frame as an encoded image.
    async getCurrentFrameImage(imageType, quality) {
      const data = this.getCurrentFrameData();
      const canvas = document.createElement("canvas");
      canvas.width = data.width;
      canvas.height = data.height;
      canvas.getContext("2d").putImageData(data, 0, 0);
      const blob = await new Promise((r) => canvas.toBlob(r, imageType || "image/png", quality));
      return { buffer: new Uint8Array(await blob.arrayBuffer()), width: data.width, height: data.height };
    },
    // getVideoElementVisibleStatus: whether the player's video is on screen.
    getVideoElementVisibleStatus() {
      const v = this._player && this._player.media;
      if (!v) return void 0;
      const r = v.getBoundingClientRect();
      const visible = r.width > 0 && r.height > 0 && getComputedStyle(v).visibility !== "hidden";
      return { visible, reason: visible ? void 0 : "SIZE_ZERO" };
    },
    async setBeautyEffect() {
      throw notSupported2("beauty effects");
    },
    sendSeiData() {
      throw notSupported2("SEI data");
    }
  };
  var audioTrackCompat = {
    // setPlaybackDevice plays the track's local playback on another output.
    async setPlaybackDevice(deviceId) {
      this._sinkId = deviceId;
      const m = this._player && this._player.media;
      if (m && m.setSinkId) await m.setSinkId(deviceId);
    },
    setAudioFrameCallback() {
      throw notSupported2("audio frame callbacks");
    },
    addReferenceTrack() {
      throw notSupported2("reference tracks (AI noise suppression)");
    },
    removeReferenceTrack() {
      throw notSupported2("reference tracks (AI noise suppression)");
    }
  };
  function install(cls, ...sources) {
    for (const s of sources) Object.defineProperties(cls.prototype, Object.getOwnPropertyDescriptors(s));
  }

  // src/rtc/local-tracks.js
  var Track = class extends EventEmitter {
    constructor(kind, mst, trackId) {
      super();
      this.trackMediaType = kind;
      this._mst = mst || null;
      this._id = trackId || newId(kind === "video" ? "track-video" : "track-audio");
      this._player = null;
      this._volume = 100;
    }
    getTrackId() {
      return this._id;
    }
    getMediaStreamTrack() {
      return this._mst;
    }
    get isPlaying() {
      return !!this._player;
    }
    play(element, config) {
      this.stop();
      this._player = new Player(this, this.trackMediaType === "video" ? element : null, config || {});
      this._player.setVolume(this._volume);
    }
    stop() {
      if (this._player) this._player.destroy();
      this._player = null;
    }
    _refreshPlayer() {
      if (this._player) this._player.update();
    }
  };
  var LocalTrack = class extends Track {
    // getTrackLabel is the device's name (the MediaStreamTrack's label), what
    // device pickers show.
    getTrackLabel() {
      return this._mst ? this._mst.label : "";
    }
    constructor(kind, mst, opts) {
      super(kind, mst);
      this._enabled = true;
      this._muted = false;
      this._closed = false;
      this._clients = /* @__PURE__ */ new Set();
      this._device = !!(opts && opts.device);
      this._constraints = opts && opts.constraints;
      if (mst) mst.addEventListener("ended", () => this.emit("track-ended"));
    }
    get enabled() {
      return this._enabled;
    }
    get muted() {
      return this._muted;
    }
    getMediaStreamTrackSettings() {
      return this._mst ? this._mst.getSettings() : {};
    }
    play(element, config) {
      if (this.trackMediaType === "video") {
        const cfg = Object.assign({ mirror: this instanceof CameraVideoTrack }, config || {});
        super.play(element, cfg);
      } else {
        super.play(element, config);
      }
    }
    _sending() {
      return this._enabled && !this._muted;
    }
    async setMuted(muted) {
      muted = !!muted;
      if (muted === this._muted) return;
      this._muted = muted;
      if (this._mst) this._mst.enabled = this._sending();
      await this._announce();
      this.emit(muted ? "track-muted" : "track-unmuted");
    }
    async setEnabled(enabled) {
      enabled = !!enabled;
      if (enabled === this._enabled) return;
      if (this._device) {
        if (!enabled) {
          this._enabled = false;
          if (this._mst) this._mst.stop();
          await this._replace(null);
        } else {
          const stream = await getUserMedia(this.trackMediaType === "video" ? { video: this._constraints } : { audio: this._constraints });
          this._enabled = true;
          await this._replace(stream.getTracks()[0]);
        }
      } else {
        this._enabled = enabled;
        if (this._mst) this._mst.enabled = this._sending();
      }
      await this._announce();
    }
    // _replace swaps the MediaStreamTrack everywhere it is used.
    async _replace(mst) {
      if (mst) {
        mst.enabled = this._sending();
        mst.addEventListener("ended", () => this.emit("track-ended"));
        this._mst = mst;
      }
      for (const c of this._clients) await c._replaceTrack(this, mst);
      this._refreshPlayer();
    }
    async _announce() {
      for (const c of this._clients) {
        try {
          await c._announceMute(this);
        } catch (e) {
          log.warn("mute request failed", e);
        }
      }
    }
    close() {
      if (this._closed) return;
      this._closed = true;
      this.stop();
      for (const c of Array.from(this._clients)) c.unpublish(this).catch((e) => log.warn("unpublish on close failed", e));
      if (this._mst) this._mst.stop();
      this.removeAllListeners();
    }
    getStats() {
      for (const c of this._clients) {
        const s = this.trackMediaType === "video" ? c.getLocalVideoStats() : c.getLocalAudioStats();
        if (s) return s;
      }
      return {};
    }
  };
  var LocalVideoTrack = class extends LocalTrack {
    constructor(mst, opts) {
      super("video", mst, opts);
      this._encoder = opts && opts.encoder || null;
      this._optimizationMode = opts && opts.optimizationMode || "";
    }
    async setOptimizationMode(mode) {
      this._optimizationMode = mode;
      if (this._mst && "contentHint" in this._mst) this._mst.contentHint = mode === "detail" ? "detail" : mode === "motion" ? "motion" : "";
    }
    getCurrentFrameData() {
      const p = (
        /** @type {HTMLVideoElement} */
        this._player && this._player.media
      );
      if (!p || !p.videoWidth) return new ImageData(2, 2);
      const canvas = document.createElement("canvas");
      canvas.width = p.videoWidth;
      canvas.height = p.videoHeight;
      const ctx2 = canvas.getContext("2d");
      ctx2.drawImage(p, 0, 0);
      return ctx2.getImageData(0, 0, canvas.width, canvas.height);
    }
  };
  var CameraVideoTrack = class extends LocalVideoTrack {
    constructor(mst, opts) {
      super(mst, Object.assign({ device: true }, opts));
    }
    async setDevice(deviceId) {
      const id = typeof deviceId === "string" ? deviceId : deviceId && deviceId.deviceId;
      this._constraints = Object.assign({}, this._constraints, { deviceId: { exact: id } });
      delete this._constraints.facingMode;
      if (!this._enabled) return;
      const stream = await getUserMedia({ video: this._constraints });
      const old = this._mst;
      await this._replace(stream.getVideoTracks()[0]);
      if (old) old.stop();
    }
    async setEncoderConfiguration(config) {
      const enc = videoEncoderConfig(config);
      this._encoder = enc;
      const c = videoConstraints(enc);
      this._constraints = Object.assign({}, this._constraints, c);
      if (this._mst) {
        try {
          await this._mst.applyConstraints(Object.assign({}, c));
        } catch (e) {
          throw fail("CONSTRAINT_NOT_SATISFIED", String(e && e.message || e));
        }
      }
      for (const cl of this._clients) await cl._applyEncoding(this);
    }
  };
  var LocalAudioTrack = class extends LocalTrack {
    constructor(mst, opts) {
      super("audio", mst, opts);
      this._analyser = null;
    }
    // setVolume sets the local playback volume (0–1000, 100 = original).
    setVolume(volume) {
      this._volume = volume;
      if (this._player) this._player.setVolume(volume);
    }
    getVolumeLevel() {
      return volumeLevel(this);
    }
    play() {
      super.play(null);
      if (this._player) this._player.setVolume(this._volume);
    }
  };
  var MicrophoneAudioTrack = class extends LocalAudioTrack {
    constructor(mst, opts) {
      super(mst, Object.assign({ device: true }, opts));
    }
    async setDevice(deviceId) {
      const id = typeof deviceId === "string" ? deviceId : deviceId && deviceId.deviceId;
      this._constraints = Object.assign({}, typeof this._constraints === "object" ? this._constraints : {}, { deviceId: { exact: id } });
      if (!this._enabled) return;
      const stream = await getUserMedia({ audio: this._constraints });
      const old = this._mst;
      await this._replace(stream.getAudioTracks()[0]);
      if (old) old.stop();
    }
  };
  function volumeLevel(track) {
    const mst = track._mst;
    if (!mst || typeof AudioContext === "undefined") return 0;
    if (!track._analyser || track._analyser.mst !== mst) {
      const ctx2 = sharedAudioContext();
      const src = ctx2.createMediaStreamSource(new MediaStream([mst]));
      const an2 = ctx2.createAnalyser();
      an2.fftSize = 512;
      src.connect(an2);
      track._analyser = { mst, an: an2, buf: new Float32Array(an2.fftSize) };
    }
    const { an, buf } = track._analyser;
    an.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const v of buf) sum += v * v;
    return Math.min(1, Math.sqrt(sum / buf.length) * 4);
  }
  install(LocalTrack, localTrackCompat);
  install(LocalVideoTrack, videoTrackCompat);
  install(LocalAudioTrack, audioTrackCompat);

  // src/rtc/remote-tracks.js
  var RemoteTrack = class extends Track {
    constructor(kind, mst, uid, receiver, codec) {
      super(kind, mst, `remote-${kind}-${uid}-${mst ? mst.id : ""}`);
      this._uid = uid;
      this._receiver = receiver;
      this._codec = codec;
      this._stats = {};
    }
    getUserId() {
      return this._uid;
    }
    getStats() {
      return this._stats;
    }
    // _swap carries the track on with the media of another receiver (its
    // subscription renewed on a new connection); a player keeps playing.
    _swap(mst, receiver, codec) {
      this._mst = mst;
      this._receiver = receiver;
      this._codec = codec;
      this._stats = {};
      this._refreshPlayer();
    }
  };
  var RemoteVideoTrack = class extends RemoteTrack {
    constructor(mst, uid, receiver, codec) {
      super("video", mst, uid, receiver, codec);
    }
    getCurrentFrameData() {
      return LocalVideoTrack.prototype.getCurrentFrameData.call(this);
    }
  };
  var RemoteAudioTrack = class extends RemoteTrack {
    constructor(mst, uid, receiver, codec) {
      super("audio", mst, uid, receiver, codec);
    }
    play() {
      super.play(null);
    }
    setVolume(volume) {
      this._volume = volume;
      if (this._player) this._player.setVolume(volume);
    }
    getVolumeLevel() {
      return this._stats.audioLevel || 0;
    }
  };
  var RemoteUser = class {
    constructor(uid, wireUid) {
      this.uid = uid;
      this._wireUid = wireUid;
      this._published = { audio: false, video: false };
      this._muted = { audio: false, video: false };
      this._codec = { audio: "", video: "" };
      this.audioTrack = void 0;
      this.videoTrack = void 0;
    }
    get hasAudio() {
      return this._published.audio && !this._muted.audio;
    }
    get hasVideo() {
      return this._published.video && !this._muted.video;
    }
  };

  // src/rtc/client.js
  var KEEP_ALIVE_TIMEOUT = 14;
  var SERVER_SHUTDOWN = 100;
  function joinError(e) {
    if (!e || !e.data || e.data.nativeCode !== 110) return e;
    const data = Object.assign({}, e.data, { message: e.message });
    return fail("CAN_NOT_GET_GATEWAY_SERVER", `flag: 4096, message: AgoraRTCError CAN_NOT_GET_GATEWAY_SERVER: invalid token, authorized failed (${e.message})`, data);
  }
  var clients = /* @__PURE__ */ new Set();
  if (typeof window !== "undefined" && window.addEventListener) {
    window.addEventListener("pagehide", () => {
      for (const c of clients) c._leaveNow();
    });
  }
  var AgoraRTCClient = class extends EventEmitter {
    constructor(config) {
      super();
      config = config || {};
      if (config.mode !== void 0 && config.mode !== "live" && config.mode !== "rtc") throw fail("INVALID_PARAMS", `mode must be "live" or "rtc" (got ${JSON.stringify(config.mode)})`);
      this.mode = config.mode || "rtc";
      let codec = config.codec || "vp8";
      if (!["vp8", "vp9", "h264", "av1"].includes(codec)) throw fail("INVALID_PARAMS", `codec must be vp8, vp9, h264 or av1 (got ${JSON.stringify(codec)})`);
      if (codec === "av1") {
        log.warn("cohost does not forward AV1; publishing VP8 instead");
        codec = "vp8";
      }
      this.codec = codec;
      if (config.role !== void 0 && !(config.role in ROLES)) throw fail("INVALID_PARAMS", `role must be "host" or "audience"`);
      this._role = this.mode === "rtc" ? "host" : config.role || "audience";
      if (config.audienceOnAnyNode !== void 0 && typeof config.audienceOnAnyNode !== "boolean") {
        throw fail("INVALID_PARAMS", `audienceOnAnyNode must be a boolean (got ${JSON.stringify(config.audienceOnAnyNode)})`);
      }
      this._audienceOnAnyNode = !!config.audienceOnAnyNode;
      this._iceServers = [];
      this._leaving = null;
      this._reconnectTimeoutMs = RECONNECT_TIMEOUT_MS;
      this._reset();
      this._state = "DISCONNECTED";
    }
    _reset() {
      this.uid = void 0;
      this.channelName = void 0;
      this._useAccount = false;
      this._sessionId = "";
      this._keepAliveMs = 2e3;
      this._dropTimeoutMs = 2e4;
      this._signal = null;
      this._pingTimer = null;
      this._statsTimer = null;
      this._users = /* @__PURE__ */ new Map();
      this._localTracks = [];
      this._up = null;
      this._upQueue = new Queue();
      this._down = null;
      this._downQueue = new Queue();
      this._downMids = /* @__PURE__ */ new Map();
      this._subs = /* @__PURE__ */ new Map();
      this._relay = "RELAY_STATE_IDLE";
      this._relayReq = null;
      this._relayPaused = false;
      this._ended = false;
      this._reconnecting = null;
      this._connectedWaiters = [];
      this._localStats = { audio: null, video: null };
      this._rtcStats = {};
      this._prevBytes = /* @__PURE__ */ new Map();
      this._volumeTimer = null;
      this._joinedAt = 0;
      this._lastSeq = 0;
      this._serverURL = "";
      this._nodes = [];
      this._joinReq = null;
      this._moveAway = false;
      this._expired = false;
      this._away = null;
      this._awayTimer = null;
      this._republishing = [];
    }
    get connectionState() {
      return this._state;
    }
    get remoteUsers() {
      return Array.from(this._users.values());
    }
    get localTracks() {
      return this._localTracks.slice();
    }
    // role is the client's current role ("host" or "audience"; cohost extension).
    get role() {
      return this._role;
    }
    _setState(state, reason) {
      const prev = this._state;
      if (prev === state) return;
      this._state = state;
      if (state === "CONNECTED" || state === "DISCONNECTED") {
        const w = this._connectedWaiters;
        this._connectedWaiters = [];
        for (const f of w) f(state === "CONNECTED");
      }
      this.emit("connection-state-change", state, prev, state === "DISCONNECTED" ? reason : void 0);
    }
    // _request sends a request on the live connection, waiting for a
    // reconnection in progress.
    async _request(type, data, timeoutMs) {
      if (this._state === "RECONNECTING") {
        const ok = await new Promise((r) => this._connectedWaiters.push(r));
        if (!ok) throw fail("INVALID_OPERATION", `the client left the channel before ${type} could be sent`);
      }
      if (!this._signal || this._state !== "CONNECTED" && type !== "join") {
        throw fail("INVALID_OPERATION", `${type}: the client is not in a channel`);
      }
      return this._signal.request(type, data, timeoutMs);
    }
    _requireJoined(what) {
      if (this._state === "DISCONNECTED" || this._state === "DISCONNECTING" || !this._sessionId) {
        throw fail("INVALID_OPERATION", `${what}: haven't joined yet!`);
      }
    }
    setTurnServer(servers) {
      const list = Array.isArray(servers) ? servers : [servers];
      this._iceServers = list.filter(Boolean).map((s) => ({
        urls: s.turnServerURL ? [`turn:${s.turnServerURL}:${s.udpport || 3478}?transport=udp`] : s.urls,
        username: s.username,
        credential: s.password || s.credential
      }));
    }
    /** @returns {RTCConfiguration} */
    _pcConfig() {
      return { iceServers: this._iceServers, bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" };
    }
    // ------------------------------------------------------------ join / leave
    async join(appid, channel, token, uid) {
      if (this._state === "DISCONNECTING" && this._leaving) await this._leaving;
      if (typeof appid !== "string" || appid === "") throw fail("INVALID_PARAMS", "appid must be a non-empty string");
      checkChannel(channel);
      if (token !== void 0 && token !== null && typeof token !== "string") throw fail("INVALID_PARAMS", "token must be a string or null");
      const req = { version: PROTOCOL_VERSION, appId: appid, channel, profile: this.mode === "live" ? 1 : 0, role: ROLES[this._role], codecs: receivableCodecs() };
      if (token) req.token = token;
      if (this._audienceOnAnyNode) req.edge = true;
      let useAccount = false;
      if (typeof uid === "string") {
        if (!ACCOUNT_RE.test(uid) || uid === "null") throw fail("INVALID_PARAMS", "a string uid (user account) must be 1–255 characters of the allowed set");
        req.account = uid;
        useAccount = true;
      } else if (uid !== void 0 && uid !== null) {
        checkUid(uid);
        if (uid) req.uid = uid;
      }
      if (this._state !== "DISCONNECTED") throw fail("INVALID_OPERATION", `Client already in ${this._state} state`);
      this._reset();
      this._useAccount = useAccount;
      this._appId = appid;
      this._setState("CONNECTING");
      let sig, resp;
      try {
        ({ sig, resp, url: this._serverURL } = await connectJoin(this, req, locator.wsURLs()));
      } catch (e) {
        if (
          /** @type {string} */
          this._state === "CONNECTING"
        ) this._setState("DISCONNECTED", e.code === "TOKEN_EXPIRE" ? "TOKEN_EXPIRE" : "NETWORK_ERROR");
        throw joinError(e);
      }
      if (this._signal !== sig) throw fail("OPERATION_ABORTED", "leave() was called during join()");
      this._joinReq = req;
      this._applyJoin(resp);
      this.channelName = channel;
      this._joinedAt = Date.now();
      clients.add(this);
      this._setState("CONNECTED");
      this._startTimers();
      if (resp.roleError) {
        log.warn("joined as audience:", resp.roleError.message);
        this._role = "audience";
      }
      this.uid = useAccount ? uid : resp.uid;
      return this.uid;
    }
    _newSignal(url) {
      return newSignal((c, t, d, q) => this._onEvent(c, t, d, q), (c, ev) => this._onSignalClose(c, ev), url);
    }
    _applyJoin(resp) {
      this._nodes = (resp.nodes || []).map((n) => n.url).filter(Boolean);
      this._wireUid = resp.uid;
      this._sessionId = resp.sessionId;
      this._role = ROLE_NAMES[resp.role] || this._role;
      if (resp.keepAliveMs > 0) this._keepAliveMs = resp.keepAliveMs;
      if (resp.dropTimeoutMs > 0) this._dropTimeoutMs = resp.dropTimeoutMs;
    }
    _startTimers() {
      clearInterval(this._pingTimer);
      const sig = this._signal;
      const timeout = Math.min(Math.max(3 * this._keepAliveMs, 3e3), this._dropTimeoutMs);
      this._pingTimer = setInterval(() => {
        if (this._signal !== sig || this._state !== "CONNECTED") return;
        sig.request("ping", void 0, timeout).catch((e) => {
          if (e.code === "TIMEOUT" && this._signal === sig) {
            log.warn("keep-alive unanswered; reconnecting");
            sig.failPending(() => fail("NETWORK_ERROR", "the connection to the server was lost"));
            sig.close(4e3, "keep-alive timeout");
            this._onSignalClose(sig, { code: 4e3 });
          }
        });
      }, this._keepAliveMs);
      if (!this._statsTimer) this._statsTimer = setInterval(() => pollStats(this).catch((e) => log.debug("stats", e)), STATS_INTERVAL_MS);
    }
    leave() {
      clients.delete(this);
      if (this._state === "DISCONNECTED") return Promise.resolve();
      if (this._state === "DISCONNECTING" && this._leaving) return this._leaving;
      const done = this._leave().finally(() => {
        if (this._leaving === done) this._leaving = null;
      });
      this._leaving = done;
      return done;
    }
    async _leave() {
      const sig = this._signal;
      this._setState("DISCONNECTING");
      if (sig && !sig.closed) {
        try {
          await sig.request("leave", void 0, 3e3);
        } catch (e) {
          log.debug("leave request", e);
        }
      }
      this._teardown("LEAVE");
    }
    _leaveNow() {
      const sig = this._signal;
      if (sig) sig.send("leave", void 0, true);
    }
    // _teardown ends the session locally: connections closed, remote users
    // forgotten, local tracks no longer published (but not closed).
    _teardown(reason) {
      clients.delete(this);
      this._clearAway();
      clearInterval(this._pingTimer);
      clearInterval(this._statsTimer);
      clearInterval(this._volumeTimer);
      this._pingTimer = this._statsTimer = this._volumeTimer = null;
      const sig = this._signal;
      this._signal = null;
      if (sig) sig.close(1e3, "leave");
      for (const t of this._localTracks) t._clients.delete(this);
      this._localTracks = [];
      for (const sub of this._subs.values()) {
        for (const w of sub.waiters) w.reject(fail("OPERATION_ABORTED", "the client left the channel"));
        if (sub.track) sub.track.stop();
      }
      this._subs.clear();
      this._users.clear();
      if (this._up) this._up.close();
      if (this._down) this._down.close();
      this._up = this._down = null;
      this._downMids.clear();
      this._relay = "RELAY_STATE_IDLE";
      this._sessionId = "";
      this.uid = void 0;
      this.channelName = void 0;
      this._setState("DISCONNECTED", reason);
    }
    // ------------------------------------------------------------ events
    _user(wireUid, create, account) {
      let u = this._users.get(wireUid);
      if (!u && create) {
        u = new RemoteUser(this._useAccount && account ? account : wireUid, wireUid);
        this._users.set(wireUid, u);
      }
      return u;
    }
    _onEvent(sig, type, d, seq) {
      if (sig !== this._signal) return;
      if (seq) {
        if (seq <= this._lastSeq) return;
        this._lastSeq = seq;
      }
      switch (type) {
        case "user-joined": {
          if (this._users.has(d.uid)) {
            if (this._away) this._away.users.delete(d.uid);
            return;
          }
          const u = this._user(d.uid, true, d.account);
          this.emit("user-joined", u);
          return;
        }
        case "user-left": {
          const u = this._users.get(d.uid);
          if (!u) return;
          for (const mt of ["audio", "video"]) this._dropSub(u, mt);
          this._users.delete(d.uid);
          this.emit("user-left", u, OFFLINE_REASONS[d.reason] || "Quit");
          return;
        }
        case "user-published": {
          const u = this._user(d.uid, true);
          if (this._away) this._away.users.delete(d.uid);
          if (this._reannounced(u, d)) return;
          u._published[d.mediaType] = true;
          u._muted[d.mediaType] = false;
          u._codec[d.mediaType] = d.codec || "";
          this.emit("user-published", u, d.mediaType);
          return;
        }
        case "user-unpublished": {
          const u = this._users.get(d.uid);
          if (u) this._unpublished(u, d.mediaType);
          return;
        }
        case "user-muted": {
          const u = this._users.get(d.uid);
          if (!u || u._muted[d.mediaType] === d.muted) return;
          const was = u._published[d.mediaType] && !u._muted[d.mediaType];
          u._muted[d.mediaType] = d.muted;
          this.emit("user-info-updated", u.uid, `${d.muted ? "mute" : "unmute"}-${d.mediaType}`);
          if (d.muted && was) {
            const key = d.mediaType === "audio" ? "audioTrack" : "videoTrack";
            if (u[key]) u[key].stop();
            u[key] = void 0;
            this.emit("user-unpublished", u, d.mediaType);
          } else if (!d.muted && u._published[d.mediaType]) {
            this.emit("user-published", u, d.mediaType);
          }
          return;
        }
        case "role-changed": {
          const old = ROLE_NAMES[d.old] || this._role;
          this._role = ROLE_NAMES[d.new] || this._role;
          if (this._role === "audience" && this._localTracks.length) this._dropLocalPublications(this._localTracks.map((t) => t.trackMediaType));
          this.emit("client-role-changed", { type: "client-role-changed", role: this._role, oldRole: old, remote: true });
          return;
        }
        case "publish-revoked":
          this._dropLocalPublications(d.mediaTypes || []);
          return;
        case "token-will-expire":
          if (d.relay) this.emit("channel-media-relay-token-privilege-will-expire", d.relay, d.channel);
          else this.emit("token-privilege-will-expire");
          return;
        case "token-expired":
          if (!d.relay && (d.privileges || []).includes("joinChannel")) this.emit("token-privilege-did-expire");
          return;
        case "offer":
          this._downQueue.run(() => this._onOffer(sig, d)).catch((e) => log.error("downstream negotiation failed", e));
          return;
        case "subscription-failed": {
          const key = `${d.uid}:${d.mediaType}`;
          const sub = this._subs.get(key);
          if (!sub) return;
          this._subs.delete(key);
          const err = d.error ? serverError(d.error) : fail("SUBSCRIBE_FAILED", "subscription failed");
          for (const w of sub.waiters) w.reject(err);
          return;
        }
        case "relay-state": {
          const state = RELAY_STATES[d.state] || String(d.state);
          const code = RELAY_ERRORS[d.code] || String(d.code);
          this._relay = state;
          this.emit("channel-media-relay-state", state, code, d.channel || void 0);
          return;
        }
        case "relay-event":
          this.emit("channel-media-relay-event", RELAY_EVENTS[d.event] || String(d.event), d.channel || void 0);
          return;
        case "disconnect": {
          if (d.reason === SERVER_SHUTDOWN && this._serverGone()) return;
          if (d.reason === KEEP_ALIVE_TIMEOUT && this._sessionEnded()) return;
          this._ended = true;
          const reason = DISCONNECT_REASONS[d.reason] || "SERVER_ERROR";
          log.warn(`the server ended the session: ${d.message || reason}`);
          this._teardown(reason);
          return;
        }
        default:
          log.debug("unknown event", type, d);
      }
    }
    // _unpublished records that user no longer publishes mediaType: its
    // subscription ends, and the app is told (user-unpublished) if it saw
    // the track published.
    _unpublished(user, mediaType) {
      const was = user[mediaType === "audio" ? "hasAudio" : "hasVideo"];
      user._published[mediaType] = false;
      this._dropSub(user, mediaType);
      if (was) this.emit("user-unpublished", user, mediaType);
    }
    _dropSub(user, mediaType) {
      const key = `${user._wireUid}:${mediaType}`;
      const sub = this._subs.get(key);
      if (sub) {
        this._subs.delete(key);
        for (const w of sub.waiters) w.reject(fail("REMOTE_USER_IS_NOT_PUBLISHED", `user ${user.uid} stopped publishing ${mediaType}`));
        if (sub.track) sub.track.stop();
      }
      const k = mediaType === "audio" ? "audioTrack" : "videoTrack";
      if (user[k]) user[k].stop();
      user[k] = void 0;
    }
    // ------------------------------------------------------------ downstream
    async _onOffer(sig, d) {
      if (sig !== this._signal) return;
      if (!this._down) {
        this._down = new RTCPeerConnection(this._pcConfig());
        this._down.addEventListener("iceconnectionstatechange", () => log.debug("downstream ICE", this._down && this._down.iceConnectionState));
      }
      const pc = this._down;
      await pc.setRemoteDescription({ type: "offer", sdp: d.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await waitGathered(pc);
      if (pc !== this._down) return;
      const byMid = /* @__PURE__ */ new Map();
      for (const tr of pc.getTransceivers()) if (tr.mid !== null) byMid.set(tr.mid, tr);
      this._downMids.clear();
      const present = /* @__PURE__ */ new Set();
      for (const t of d.tracks || []) {
        this._downMids.set(t.mid, t);
        const key = `${t.uid}:${t.mediaType}`;
        present.add(key);
        const sub = this._subs.get(key);
        const tr = byMid.get(t.mid);
        if (!sub || !tr) continue;
        sub.stale = false;
        const mst = tr.receiver.track;
        if (!sub.track) {
          const u = this._users.get(t.uid);
          const uid = u ? u.uid : t.uid;
          const Cls = t.mediaType === "video" ? RemoteVideoTrack : RemoteAudioTrack;
          sub.track = new Cls(mst, uid, tr.receiver, t.codec);
        } else if (sub.track._mst !== mst) {
          sub.track._swap(mst, tr.receiver, t.codec);
        }
      }
      for (const [key, sub] of this._subs) {
        if (sub.track && !sub.stale && !present.has(key)) {
          sub.track.stop();
          this._subs.delete(key);
        }
      }
      try {
        await sig.request("answer", { sdp: pc.localDescription.sdp });
      } catch (e) {
        log.warn("answer refused", e);
      }
      for (const [key, sub] of this._subs) {
        if (!sub.track || !sub.waiters.length) continue;
        const waiters = sub.waiters;
        sub.waiters = [];
        const [uidStr, mt] = key.split(":");
        const u = this._users.get(Number(uidStr));
        if (u) u[mt === "audio" ? "audioTrack" : "videoTrack"] = sub.track;
        for (const w of waiters) w.resolve(sub.track);
      }
    }
    _userOf(user) {
      if (user instanceof RemoteUser) return this._users.get(user._wireUid) === user ? user : this._users.get(user._wireUid);
      if (user && typeof user === "object" && "uid" in user) user = user.uid;
      for (const u of this._users.values()) if (u.uid === user || u._wireUid === user) return u;
      return void 0;
    }
    async subscribe(user, mediaType) {
      this._requireJoined("subscribe");
      if (mediaType !== "audio" && mediaType !== "video") {
        if (mediaType === "datachannel") throw fail("NOT_SUPPORTED", "cohost has no data channels");
        throw fail("INVALID_PARAMS", `mediaType must be "audio" or "video" (got ${JSON.stringify(mediaType)})`);
      }
      const u = this._userOf(user);
      if (!u) throw fail("INVALID_REMOTE_USER", `user ${user && user.uid !== void 0 ? user.uid : user} is not in the channel`);
      if (!u._published[mediaType] || u._muted[mediaType]) throw fail("REMOTE_USER_IS_NOT_PUBLISHED", `user ${u.uid} has not published ${mediaType}`);
      const key = `${u._wireUid}:${mediaType}`;
      let sub = this._subs.get(key);
      const prop = mediaType === "audio" ? "audioTrack" : "videoTrack";
      if (sub && sub.track) {
        u[prop] = sub.track;
        return sub.track;
      }
      const pending = !!sub;
      if (!sub) {
        sub = { track: null, waiters: [] };
        this._subs.set(key, sub);
      }
      const p = new Promise((resolve, reject) => sub.waiters.push({ resolve, reject }));
      if (!pending) {
        try {
          await this._request("subscribe", { uid: u._wireUid, mediaType });
        } catch (e) {
          if (this._subs.get(key) === sub) this._subs.delete(key);
          for (const w of sub.waiters) w.reject(e);
        }
      }
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(fail("TIMEOUT", `no media for ${u.uid}'s ${mediaType} within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
      });
      try {
        return await Promise.race([p, timeout]);
      } finally {
        clearTimeout(timer);
      }
    }
    async unsubscribe(user, mediaType) {
      this._requireJoined("unsubscribe");
      const u = this._userOf(user);
      if (!u) return;
      for (const mt of mediaType ? [mediaType] : ["audio", "video"]) {
        const key = `${u._wireUid}:${mt}`;
        if (!this._subs.has(key)) continue;
        this._dropSub(u, mt);
        await this._request("unsubscribe", { uid: u._wireUid, mediaType: mt });
      }
    }
    // ------------------------------------------------------------ upstream
    _upPC() {
      if (!this._up) {
        this._up = new RTCPeerConnection(this._pcConfig());
        this._up.addEventListener("iceconnectionstatechange", () => log.debug("upstream ICE", this._up && this._up.iceConnectionState));
      }
      return this._up;
    }
    _transceiverOf(track) {
      if (!this._up) return null;
      return this._up.getTransceivers().find((tr) => tr._cohostTrack === track) || null;
    }
    // _negotiateUp sends a publish with a fresh offer listing every
    // published track. Run it through _upQueue.
    async _negotiateUp(opts) {
      const pc = this._upPC();
      const offer = await pc.createOffer(opts && opts.iceRestart ? { iceRestart: true } : void 0);
      await pc.setLocalDescription(offer);
      await waitGathered(pc);
      const tracks = [];
      for (const tr of pc.getTransceivers()) {
        const t = tr._cohostTrack;
        if (!t || tr.mid === null) continue;
        tracks.push({ mid: tr.mid, mediaType: t.trackMediaType, muted: !t._sending() });
      }
      let resp;
      try {
        resp = await this._request("publish", { sdp: pc.localDescription.sdp, tracks });
      } catch (e) {
        if (pc.signalingState === "have-local-offer") {
          try {
            await pc.setLocalDescription({ type: "rollback" });
          } catch (err) {
            log.debug("rollback", err);
          }
        }
        throw e;
      }
      await pc.setRemoteDescription({ type: "answer", sdp: resp.sdp });
    }
    async publish(tracks) {
      const list = (Array.isArray(tracks) ? tracks : [tracks]).filter((t) => t !== void 0 && t !== null);
      for (const t of list) {
        if (!(t instanceof LocalTrack)) throw fail("INVALID_LOCAL_TRACK", "publish() takes local tracks created by AgoraRTC");
        if (t._closed) throw fail("INVALID_LOCAL_TRACK", "can not publish a closed track");
      }
      this._requireJoined("Can't publish stream");
      if (this.mode === "live" && this._role === "audience") throw fail("INVALID_OPERATION", "audience can not publish stream");
      const fresh = list.filter((t) => !this._localTracks.includes(t));
      const kinds = new Set(this._localTracks.map((t) => t.trackMediaType));
      for (const t of fresh) {
        if (kinds.has(t.trackMediaType)) {
          if (t.trackMediaType === "video") throw fail("CAN_NOT_PUBLISH_MULTIPLE_VIDEO_TRACKS", "a client publishes at most one video track");
          throw fail("NOT_SUPPORTED", "cohost publishes at most one audio track per client (no audio mixing)");
        }
        kinds.add(t.trackMediaType);
      }
      if (!fresh.length) return;
      await this._upQueue.run(async () => {
        const pc = this._upPC();
        const added = [];
        for (const t of fresh) {
          const src = t._device && !t._enabled ? null : t._mst;
          let tr = pc.getTransceivers().find((x) => !x._cohostTrack && x.receiver.track && x.receiver.track.kind === t.trackMediaType && x.currentDirection !== "stopped");
          if (tr) {
            await tr.sender.replaceTrack(src);
            tr.direction = "sendonly";
          } else {
            tr = pc.addTransceiver(src || t.trackMediaType, { direction: "sendonly" });
          }
          if (t.trackMediaType === "video") preferCodec(tr, "video", this.codec);
          else preferCodec(tr, "audio", "opus");
          tr._cohostTrack = t;
          added.push(tr);
        }
        try {
          await this._negotiateUp();
        } catch (e) {
          for (const tr of added) {
            tr._cohostTrack = null;
            await tr.sender.replaceTrack(null);
            tr.direction = "inactive";
          }
          throw e;
        }
        for (const t of fresh) {
          this._localTracks.push(t);
          t._clients.add(this);
          if (t.trackMediaType === "video") await this._applyEncoding(t);
        }
      });
    }
    async unpublish(tracks) {
      if (this._state === "DISCONNECTED") return;
      let list = tracks === void 0 || tracks === null ? this._localTracks.slice() : Array.isArray(tracks) ? tracks : [tracks];
      list = list.filter((t) => this._localTracks.includes(t));
      if (!list.length) return;
      await this._upQueue.run(async () => {
        for (const t of list) {
          this._detachTrack(t);
        }
        await this._negotiateUp();
      });
    }
    _detachTrack(t) {
      const tr = this._transceiverOf(t);
      if (tr) {
        tr._cohostTrack = null;
        tr.sender.replaceTrack(null).catch(() => {
        });
        tr.direction = "inactive";
      }
      this._localTracks = this._localTracks.filter((x) => x !== t);
      t._clients.delete(this);
    }
    // _dropLocalPublications follows a server-side unpublish (demotion,
    // revoked privilege): the tracks stop being sent and the upstream
    // connection is renegotiated without them.
    _dropLocalPublications(mediaTypes) {
      const drop = this._localTracks.filter((t) => mediaTypes.includes(t.trackMediaType));
      if (!drop.length) return;
      for (const t of drop) this._detachTrack(t);
      this._upQueue.run(() => this._negotiateUp()).catch((e) => log.warn("renegotiation after unpublish failed", e));
    }
    async _replaceTrack(track, mst) {
      const tr = this._transceiverOf(track);
      if (tr) await tr.sender.replaceTrack(mst);
      if (mst && track.trackMediaType === "video") await this._applyEncoding(track);
    }
    async _announceMute(track) {
      if (this._state !== "CONNECTED" || !this._localTracks.includes(track)) return;
      await this._request("mute", { mediaType: track.trackMediaType, muted: !track._sending() });
    }
    async _applyEncoding(track) {
      const tr = this._transceiverOf(track);
      const enc = track._encoder;
      if (!tr || !enc || !tr.sender.getParameters) return;
      const params = tr.sender.getParameters();
      if (!params.encodings || !params.encodings.length) params.encodings = [{}];
      if (enc.bitrateMax) params.encodings[0].maxBitrate = enc.bitrateMax * 1e3;
      if (enc.frameRate) params.encodings[0].maxFramerate = enc.frameRate;
      try {
        await tr.sender.setParameters(params);
      } catch (e) {
        log.debug("setParameters", e);
      }
    }
    // ------------------------------------------------------------ roles
    async setClientRole(role, options) {
      if (!(role in ROLES)) throw fail("INVALID_PARAMS", `role must be "host" or "audience" (got ${JSON.stringify(role)})`);
      if (this.mode === "rtc") throw fail("INVALID_OPERATION", "rtc mode can not use setClientRole");
      if (options !== void 0 && (typeof options !== "object" || options === null)) throw fail("INVALID_PARAMS", "options must be an object");
      if (this._state === "DISCONNECTING" && this._leaving) {
        await this._leaving;
      }
      if (role === "audience" && this._localTracks.length) {
        throw fail("INVALID_OPERATION", "can not set client role to audience while publishing: unpublish the local tracks first");
      }
      if (this._state === "CONNECTING") {
        await new Promise((r) => this._connectedWaiters.push(r));
      }
      if (this._state === "DISCONNECTED" || !this._sessionId) {
        this._role = role;
        return;
      }
      const resp = await this._request("set-role", { role: ROLES[role] });
      const old = ROLE_NAMES[resp.old] || this._role;
      this._role = ROLE_NAMES[resp.new] || role;
      if (old !== this._role) this.emit("client-role-changed", { type: "client-role-changed", role: this._role, oldRole: old, remote: false });
    }
    // setRemoteClientRole changes another member's role (cohost extension;
    // needs a token with the administrateChannel privilege).
    async setRemoteClientRole(uid, role) {
      if (!(role in ROLES)) throw fail("INVALID_PARAMS", `role must be "host" or "audience" (got ${JSON.stringify(role)})`);
      this._requireJoined("setRemoteClientRole");
      let wire = uid;
      if (typeof uid === "string") {
        const u = this._userOf(uid);
        wire = u ? u._wireUid : /^\d+$/.test(uid) ? Number(uid) : uid;
      }
      checkUid(wire);
      await this._request("set-remote-role", { uid: wire, role: ROLES[role] });
    }
    async renewToken(token) {
      if (typeof token !== "string" || !token) throw fail("INVALID_PARAMS", "token must be a non-empty string");
      this._requireJoined("renewToken");
      await this._request("renew-token", { token });
      if (this._joinReq) this._joinReq.token = token;
    }
  };
  installClientCompat(AgoraRTCClient, clientRelay, clientStats, clientFailover, clientReconnect);

  // src/rtc/track-checks.js
  var sleep2 = (ms) => new Promise((r) => setTimeout(r, ms));
  async function checkAudioTrackIsActive(track, timeoutMs) {
    if (!track || track.trackMediaType !== "audio") throw fail("INVALID_PARAMS", "checkAudioTrackIsActive needs an audio track");
    const deadline = Date.now() + (timeoutMs || 5e3);
    while (Date.now() < deadline) {
      if (volumeLevel(track) > 0) return true;
      await sleep2(100);
    }
    return false;
  }
  async function checkVideoTrackIsActive(track, timeoutMs) {
    if (!track || track.trackMediaType !== "video") throw fail("INVALID_PARAMS", "checkVideoTrackIsActive needs a video track");
    const mst = track.getMediaStreamTrack();
    if (!mst || mst.readyState !== "live") return false;
    const video = document.createElement("video");
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([mst]);
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 32;
    const ctx2 = canvas.getContext("2d", { willReadFrequently: true });
    const deadline = Date.now() + (timeoutMs || 5e3);
    try {
      await video.play().catch(() => {
      });
      let prev = null;
      while (Date.now() < deadline) {
        if (video.videoWidth > 0) {
          ctx2.drawImage(video, 0, 0, 32, 32);
          const cur = ctx2.getImageData(0, 0, 32, 32).data;
          if (prev && cur.some((v, i) => v !== prev[i])) return true;
          prev = cur;
        }
        await sleep2(200);
      }
      return false;
    } finally {
      video.pause();
      video.srcObject = null;
    }
  }
  async function isAV1Decodable() {
    if (typeof RTCRtpReceiver === "undefined" || !RTCRtpReceiver.getCapabilities) return false;
    const caps = RTCRtpReceiver.getCapabilities("video");
    return !!caps && caps.codecs.some((c) => c.mimeType.toLowerCase() === "video/av1");
  }

  // src/rtc/factories.js
  async function createCameraVideoTrack(config) {
    config = config || {};
    const enc = videoEncoderConfig(config.encoderConfig);
    const constraints = videoConstraints(enc, config.cameraId, config.facingMode);
    const stream = await getUserMedia({ video: constraints });
    const t = new CameraVideoTrack(stream.getVideoTracks()[0], { constraints, encoder: enc, optimizationMode: config.optimizationMode });
    if (config.optimizationMode) await t.setOptimizationMode(config.optimizationMode);
    return t;
  }
  async function createMicrophoneAudioTrack(config) {
    config = config || {};
    const constraints = audioConstraints(config);
    const stream = await getUserMedia({ audio: constraints });
    return new MicrophoneAudioTrack(stream.getAudioTracks()[0], { constraints });
  }
  async function createMicrophoneAndCameraTracks(audioConfig, videoConfig) {
    audioConfig = audioConfig || {};
    videoConfig = videoConfig || {};
    const enc = videoEncoderConfig(videoConfig.encoderConfig);
    const vc = videoConstraints(enc, videoConfig.cameraId, videoConfig.facingMode);
    const ac = audioConstraints(audioConfig);
    const stream = await getUserMedia({ audio: ac, video: vc });
    return [
      new MicrophoneAudioTrack(stream.getAudioTracks()[0], { constraints: ac }),
      new CameraVideoTrack(stream.getVideoTracks()[0], { constraints: vc, encoder: enc })
    ];
  }
  function customTrack(config, kind) {
    const mst = config && config.mediaStreamTrack;
    if (typeof MediaStreamTrack === "undefined" || !(mst instanceof MediaStreamTrack) || mst.kind !== kind) {
      throw fail("INVALID_PARAMS", `mediaStreamTrack must be a ${kind} MediaStreamTrack`);
    }
    return mst;
  }
  function createCustomVideoTrack(config) {
    const mst = customTrack(config, "video");
    const enc = config.bitrateMax || config.bitrateMin ? { bitrateMax: config.bitrateMax, bitrateMin: config.bitrateMin } : null;
    return new LocalVideoTrack(mst, { encoder: enc, optimizationMode: config.optimizationMode });
  }
  function createCustomAudioTrack(config) {
    return new LocalAudioTrack(customTrack(config, "audio"));
  }
  async function createScreenVideoTrack(config, withAudio) {
    config = config || {};
    if (typeof navigator === "undefined" || !navigator.mediaDevices || !navigator.mediaDevices.getDisplayMedia) throw fail("NOT_SUPPORTED", "screen sharing is not supported by this browser");
    const enc = videoEncoderConfig(config.encoderConfig || "1080p_1");
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: videoConstraints(enc), audio: withAudio === "enable" || withAudio === "auto" });
    } catch (e) {
      throw fail(e && e.name === "NotAllowedError" ? "PERMISSION_DENIED" : "UNEXPECTED_ERROR", String(e && e.message || e));
    }
    const v = new LocalVideoTrack(stream.getVideoTracks()[0], { encoder: enc, optimizationMode: config.optimizationMode || "detail" });
    const a = stream.getAudioTracks()[0];
    if (withAudio === "enable" && !a) throw fail("NOT_SUPPORTED", "the shared screen has no audio");
    return a ? [v, new LocalAudioTrack(a)] : v;
  }
  async function getDevices() {
    if (typeof navigator === "undefined" || !navigator.mediaDevices) throw fail("NOT_SUPPORTED", "no media devices");
    return navigator.mediaDevices.enumerateDevices();
  }

  // src/shared/area.js
  function checkArea(area, areas, fail2) {
    let codes = area;
    let excluded;
    if (area && typeof area === "object" && !Array.isArray(area)) {
      codes = area.areaCode !== void 0 ? area.areaCode : area.areaCodes;
      excluded = area.excludedArea;
    }
    if (!Array.isArray(codes)) codes = [codes];
    const named = excluded === void 0 ? codes : [...codes, excluded];
    if (!codes.length || named.some((c) => typeof c !== "string" || !Object.prototype.hasOwnProperty.call(areas, c))) {
      throw fail2("INVALID_PARAMS", `invalid area ${JSON.stringify(area)}`);
    }
    if (codes.some((c) => c !== "GLOBAL") || excluded !== void 0) {
      throw fail2("NOT_SUPPORTED", "cohost does not choose servers by area: it connects to the servers setServerURL names (only GLOBAL is accepted)");
    }
  }

  // src/rtc/preload.js
  var PRELOAD_TIMEOUT_MS = 1e4;
  async function preload(appid, channel, uid) {
    if (typeof appid !== "string" || !appid) throw fail("INVALID_PARAMS", "appid must be a non-empty string");
    checkChannel(channel, "channel");
    if (uid !== void 0 && uid !== null && typeof uid !== "string" && !(Number.isInteger(uid) && uid >= 0 && uid <= 4294967295)) {
      throw fail("INVALID_PARAMS", "invalid uid", uid);
    }
    const open = async (url) => {
      const conn = newSignal(() => {
      }, null, url);
      try {
        await conn.open(PRELOAD_TIMEOUT_MS);
      } finally {
        conn.close();
      }
    };
    await openFirst(locator.wsURLs(), open, new Backoff({ initialMs: 100, maxMs: 2e3 }), () => true);
  }

  // src/rtc/sdk.js
  var sdkEvents = new EventEmitter();
  if (typeof navigator !== "undefined" && navigator.mediaDevices && navigator.mediaDevices.addEventListener) {
    let known = null;
    const refresh = async () => {
      const list = await navigator.mediaDevices.enumerateDevices();
      const ids = new Map(list.map((d) => [d.kind + d.deviceId, d]));
      if (known) {
        for (const [k, d] of ids) if (!known.has(k)) report(d, "ACTIVE");
        for (const [k, d] of known) if (!ids.has(k)) report(d, "INACTIVE");
      }
      known = ids;
    };
    const report = (device, state) => {
      const info = { device, state, initAt: Date.now(), updateAt: Date.now() };
      const ev = device.kind === "videoinput" ? "camera-changed" : device.kind === "audioinput" ? "microphone-changed" : "playback-device-changed";
      sdkEvents.emit(ev, info);
      const cb = AgoraRTC[ev === "camera-changed" ? "onCameraChanged" : ev === "microphone-changed" ? "onMicrophoneChanged" : "onPlaybackDeviceChanged"];
      if (typeof cb === "function") cb(info);
    };
    navigator.mediaDevices.addEventListener("devicechange", () => refresh().catch(() => {
    }));
  }
  var AREAS = enumOf(["CHINA", "ASIA", "NORTH_AMERICA", "EUROPE", "JAPAN", "INDIA", "KOREA", "HKMC", "US", "OCEANIA", "SOUTH_AMERICA", "AFRICA", "OVERSEA", "GLOBAL", "EXTENSIONS"]);
  function createClient(config) {
    return new AgoraRTCClient(config);
  }
  function createChannelMediaRelayConfiguration() {
    return new ChannelMediaRelayConfiguration();
  }
  var AgoraRTC = {
    __cohost: true,
    VERSION,
    BUILD: `cohost-${COHOST_VERSION}`,
    AREAS,
    AgoraRTCError,
    AgoraRTCErrorCode,
    ChannelMediaRelayConfiguration,
    ChannelMediaRelayState: enumOf(RELAY_STATES),
    ChannelMediaRelayError: enumOf(RELAY_ERRORS),
    ChannelMediaRelayEvent: enumOf(RELAY_EVENTS),
    ConnectionDisconnectedReason: enumOf(["LEAVE", "NETWORK_ERROR", "SERVER_ERROR", "UID_BANNED", "IP_BANNED", "CHANNEL_BANNED", "TOKEN_EXPIRE"]),
    AudienceLatencyLevelType: Object.freeze({ AUDIENCE_LEVEL_LOW_LATENCY: 1, AUDIENCE_LEVEL_ULTRA_LOW_LATENCY: 2 }),
    createClient,
    createChannelMediaRelayConfiguration,
    createCameraVideoTrack,
    createMicrophoneAudioTrack,
    createMicrophoneAndCameraTracks,
    createCustomVideoTrack,
    createCustomAudioTrack,
    createScreenVideoTrack,
    getDevices,
    getCameras: async () => (await getDevices()).filter((d) => d.kind === "videoinput"),
    getMicrophones: async () => (await getDevices()).filter((d) => d.kind === "audioinput"),
    getPlaybackDevices: async () => (await getDevices()).filter((d) => d.kind === "audiooutput"),
    checkSystemRequirements: () => typeof RTCPeerConnection !== "undefined" && typeof WebSocket !== "undefined" && !!(typeof navigator !== "undefined" && navigator.mediaDevices),
    getSupportedCodec: async () => {
      const names = (kind) => {
        const caps = typeof RTCRtpSender !== "undefined" && RTCRtpSender.getCapabilities && RTCRtpSender.getCapabilities(kind);
        const all = caps ? caps.codecs.map((c) => c.mimeType.split("/")[1].toUpperCase()) : [];
        return ["VP8", "VP9", "H264", "OPUS"].filter((n) => all.includes(n));
      };
      return { video: names("video"), audio: names("audio") };
    },
    setLogLevel,
    // Log upload sends the SDK's logs to Agora's servers; cohost has none to
    // send them to (the logs are in the console, filtered by setLogLevel).
    enableLogUpload: () => {
      throw fail("NOT_SUPPORTED", "cohost does not upload logs: they are in the browser's console");
    },
    disableLogUpload: () => {
    },
    setArea: (area) => checkArea(area, AREAS, (code, msg) => fail(code, msg, area)),
    // setAppType is how Agora's wrappers (agora-rtc-react …) name themselves.
    setAppType: (type) => {
      if (!(Number.isInteger(type) && type >= 0)) throw fail("INVALID_PARAMS", "invalid app type", type);
    },
    checkAudioTrackIsActive,
    checkVideoTrackIsActive,
    isAV1Decodable,
    resumeAudioContext: () => {
      const ctx2 = existingAudioContext();
      if (ctx2 && ctx2.state !== "running") ctx2.resume().catch((e) => log.warn("resumeAudioContext", e));
    },
    // preload warms up the connection to the server a join will use (DNS,
    // TCP, TLS): it opens the signalling WebSocket and closes it, and
    // rejects with CAN_NOT_GET_GATEWAY_SERVER when no server answers.
    preload: (appid, channel, token, uid) => preload(appid, channel, uid),
    startLastmileProbeTest: async () => {
      throw fail("NOT_SUPPORTED", "cohost has no last-mile probe test");
    },
    requestConfigDistribute: async () => {
      throw fail("NOT_SUPPORTED", "cohost has no configuration distribution service");
    },
    processExternalMediaAEC: () => {
      throw fail("NOT_SUPPORTED", "cohost has no echo cancellation of external media");
    },
    // registerExtensions: registering none succeeds; cohost runs no Agora
    // extensions.
    registerExtensions: (extensions) => {
      if (extensions && extensions.length) throw fail("NOT_SUPPORTED", "cohost runs no Agora extensions");
    },
    // setParameter: SERVER_URL is cohost's; Agora's private parameters tune
    // Agora's SDK and have no meaning here.
    setParameter: (key, value) => {
      if (key !== "SERVER_URL") throw fail("NOT_SUPPORTED", `cohost has no parameter ${String(key)}`);
      AgoraRTC.setServerURL(value);
    },
    // setServerURL points the SDK at a cohost server other than the one it
    // was loaded from, e.g. AgoraRTC.setServerURL("https://rtc.example.com").
    setServerURL: (url) => locator.setServerURL(url),
    getServerURL: () => locator.base(),
    __setModuleURL: (url) => locator.setModuleURL(url),
    on: (event, listener) => sdkEvents.on(event, listener),
    once: (event, listener) => sdkEvents.once(event, listener),
    off: (event, listener) => sdkEvents.off(event, listener),
    removeAllListeners: (event) => sdkEvents.removeAllListeners(event),
    getListeners: (event) => sdkEvents.getListeners(event),
    // use registers one of Agora's service packages (relay, live streaming …)
    // with Agora's modular SDK; cohost's are built in, Agora's do not run here.
    use: () => {
      throw fail("NOT_SUPPORTED", "cohost's services are built in: Agora's service packages do not run on it");
    },
    createBufferSourceAudioTrack: async () => {
      throw fail("NOT_SUPPORTED", "cohost does not support buffer source audio tracks");
    },
    getElectronScreenSources: async () => {
      throw fail("NOT_SUPPORTED", "cohost does not support Electron screen sources");
    },
    onCameraChanged: void 0,
    onMicrophoneChanged: void 0,
    onPlaybackDeviceChanged: void 0,
    onAudioAutoplayFailed: void 0,
    onAutoplayFailed: void 0,
    onAudioContextStateChanged: void 0,
    onSecurityPolicyViolation: void 0
  };
  var autoplayReported = false;
  if (typeof document !== "undefined" && document.addEventListener) {
    for (const ev of ["click", "touchstart", "keydown"]) {
      document.addEventListener(ev, () => {
        autoplayReported = false;
      }, { capture: true, passive: true });
    }
  }
  onAutoplayFailed((kind) => {
    if (kind === "audio" && AgoraRTC.onAudioAutoplayFailed) AgoraRTC.onAudioAutoplayFailed();
    if (autoplayReported) return;
    autoplayReported = true;
    if (AgoraRTC.onAutoplayFailed) AgoraRTC.onAutoplayFailed();
    sdkEvents.emit("autoplay-failed");
  });

  // src/rtc/global.js
  var root = (
    /** @type {any} */
    globalThis
  );
  if (!(root.AgoraRTC && root.AgoraRTC.__cohost)) {
    const script = typeof document !== "undefined" && document.currentScript && /** @type {HTMLScriptElement} */
    document.currentScript.src;
    locator.setScriptURL(script || "");
    root.AgoraRTC = AgoraRTC;
  }
})();
if (typeof module === "object" && module && module.exports) module.exports = globalThis.AgoraRTC;

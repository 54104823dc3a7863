// AgoraRTCClient: join and leave, resume after a lost connection, the
// server's events, subscriptions (downstream) and publications (upstream),
// roles. Relay, statistics, failover to another server and the remaining
// Agora calls are in client-relay.js, stats.js, client-failover.js and
// client-compat.js.
import { preferCodec, receivableCodecs } from "./codecs.js";
import { PROTOCOL_VERSION, RECONNECT_TIMEOUT_MS, REQUEST_TIMEOUT_MS, STATS_INTERVAL_MS } from "./constants.js";
import { EventEmitter } from "./emitter.js";
import { fail, serverError } from "./errors.js";
import { Queue, waitGathered } from "./helpers.js";
import { locator, newSignal } from "./signal.js";
import { connectJoin } from "./join-connect.js";
import { clientFailover } from "./client-failover.js";
import { clientReconnect } from "./client-reconnect.js";
import { clientStats, pollStats } from "./stats.js";
import { clientRelay } from "./client-relay.js";
import { installClientCompat } from "./client-compat.js";
import { LocalTrack } from "./local-tracks.js";
import { log } from "./log.js";
import { RELAY_ERRORS, RELAY_EVENTS, RELAY_STATES } from "./relay-config.js";
import { RemoteAudioTrack, RemoteUser, RemoteVideoTrack } from "./remote-tracks.js";
import { ACCOUNT_RE, DISCONNECT_REASONS, OFFLINE_REASONS, ROLES, ROLE_NAMES, checkChannel, checkUid } from "./validation.js";

// Disconnect reasons: the server dropped the session for a missed
// keep-alive (KEEP_ALIVE_TIMEOUT), or is shutting down (SERVER_SHUTDOWN).
const KEEP_ALIVE_TIMEOUT = 14;
const SERVER_SHUTDOWN = 100;

// joinError is what join() rejects with: as Agora's SDK, a token the server
// refuses is CAN_NOT_GET_GATEWAY_SERVER "invalid token, authorized failed"
// (the server's own message and codes stay in data).
function joinError(e) {
  if (!e || !e.data || e.data.nativeCode !== 110) return e;
  const data = Object.assign({}, e.data, { message: e.message });
  return fail("CAN_NOT_GET_GATEWAY_SERVER", `flag: 4096, message: AgoraRTCError CAN_NOT_GET_GATEWAY_SERVER: invalid token, authorized failed (${e.message})`, data);
}

export const clients = new Set();
if (typeof window !== "undefined" && window.addEventListener) {
  // Tell the server at once when the page goes away, so others do not
  // wait for the drop timeout.
  window.addEventListener("pagehide", () => {
    for (const c of clients) c._leaveNow();
  });
}

export class AgoraRTCClient extends EventEmitter {
  constructor(config) {
    super();
    config = config || {};
    if (config.mode !== undefined && config.mode !== "live" && config.mode !== "rtc") throw fail("INVALID_PARAMS", `mode must be "live" or "rtc" (got ${JSON.stringify(config.mode)})`);
    this.mode = config.mode || "rtc";
    let codec = config.codec || "vp8";
    if (!["vp8", "vp9", "h264", "av1"].includes(codec)) throw fail("INVALID_PARAMS", `codec must be vp8, vp9, h264 or av1 (got ${JSON.stringify(codec)})`);
    if (codec === "av1") {
      log.warn("cohost does not forward AV1; publishing VP8 instead");
      codec = "vp8";
    }
    this.codec = codec;
    if (config.role !== undefined && !(config.role in ROLES)) throw fail("INVALID_PARAMS", `role must be "host" or "audience"`);
    this._role = this.mode === "rtc" ? "host" : config.role || "audience";
    // audienceOnAnyNode (cohost extension): in a cluster, a member of a
    // channel, live or "rtc", stays on the node it reaches (the join's
    // edge flag) instead of being sent to the node hosting the channel.
    if (config.audienceOnAnyNode !== undefined && typeof config.audienceOnAnyNode !== "boolean") {
      throw fail("INVALID_PARAMS", `audienceOnAnyNode must be a boolean (got ${JSON.stringify(config.audienceOnAnyNode)})`);
    }
    this._audienceOnAnyNode = !!config.audienceOnAnyNode;
    this._iceServers = [];
    this._leaving = null; // the leave() in flight
    // How long the client tries to get back into the channel after losing
    // its connection before it gives up (DISCONNECTED), as Agora's SDK.
    this._reconnectTimeoutMs = RECONNECT_TIMEOUT_MS;
    this._reset();
    this._state = "DISCONNECTED";
  }

  _reset() {
    this.uid = undefined;
    this.channelName = undefined;
    this._useAccount = false;
    this._sessionId = "";
    this._keepAliveMs = 2000;
    this._dropTimeoutMs = 20000;
    this._signal = null;
    this._pingTimer = null;
    this._statsTimer = null;
    this._users = new Map(); // by wire uid
    this._localTracks = [];
    this._up = null; // upstream RTCPeerConnection
    this._upQueue = new Queue();
    this._down = null;
    this._downQueue = new Queue();
    this._downMids = new Map(); // mid → {uid, mediaType, codec}
    this._subs = new Map(); // "uid:mediaType" → {track, waiters: [{resolve, reject}]}
    this._relay = "RELAY_STATE_IDLE";
    this._relayReq = null; // the relay request the server last took
    this._relayPaused = false;
    this._ended = false;
    this._reconnecting = null;
    this._connectedWaiters = [];
    this._localStats = { audio: null, video: null };
    this._rtcStats = {};
    this._prevBytes = new Map();
    this._volumeTimer = null;
    this._joinedAt = 0;
    this._lastSeq = 0; // the seq of the last event handled, named on resume
    this._serverURL = ""; // the WebSocket URL of the server that holds the session
    this._nodes = []; // in a cluster, the base URLs of the live nodes
    this._joinReq = null; // the accepted join, sent again on another server by a failover
    this._moveAway = false; // the session's server is shutting down: fail over
    this._expired = false; // the server no longer holds the session: join again
    this._away = null; // after a rejoin, what the new server has yet to announce again
    this._awayTimer = null;
    this._republishing = []; // tracks being published again after a rejoin
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
    this.emit("connection-state-change", state, prev, state === "DISCONNECTED" ? reason : undefined);
  }

  // _request sends a request on the live connection, waiting for a
  // reconnection in progress.
  async _request(type, data, timeoutMs) {
    if (this._state === "RECONNECTING") {
      const ok = await new Promise((r) => this._connectedWaiters.push(r));
      if (!ok) throw fail("INVALID_OPERATION", `the client left the channel before ${type} could be sent`);
    }
    if (!this._signal || (this._state !== "CONNECTED" && type !== "join")) {
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
      credential: s.password || s.credential,
    }));
  }

  /** @returns {RTCConfiguration} */
  _pcConfig() {
    return { iceServers: this._iceServers, bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" };
  }

  // ------------------------------------------------------------ join / leave

  async join(appid, channel, token, uid) {
    // As Agora's SDK, a join issued while a leave is in flight waits for it.
    if (this._state === "DISCONNECTING" && this._leaving) await this._leaving;
    if (typeof appid !== "string" || appid === "") throw fail("INVALID_PARAMS", "appid must be a non-empty string");
    checkChannel(channel);
    if (token !== undefined && token !== null && typeof token !== "string") throw fail("INVALID_PARAMS", "token must be a string or null");
    const req = { version: PROTOCOL_VERSION, appId: appid, channel, profile: this.mode === "live" ? 1 : 0, role: ROLES[this._role], codecs: receivableCodecs() };
    if (token) req.token = token;
    if (this._audienceOnAnyNode) req.edge = true;
    let useAccount = false;
    if (typeof uid === "string") {
      if (!ACCOUNT_RE.test(uid) || uid === "null") throw fail("INVALID_PARAMS", "a string uid (user account) must be 1–255 characters of the allowed set");
      req.account = uid;
      useAccount = true;
    } else if (uid !== undefined && uid !== null) {
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
      if (/** @type {string} */ (this._state) === "CONNECTING") this._setState("DISCONNECTED", e.code === "TOKEN_EXPIRE" ? "TOKEN_EXPIRE" : "NETWORK_ERROR");
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
    // In a cluster: the live nodes, where to go when this one stops.
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
    const timeout = Math.min(Math.max(3 * this._keepAliveMs, 3000), this._dropTimeoutMs);
    this._pingTimer = setInterval(() => {
      if (this._signal !== sig || this._state !== "CONNECTED") return;
      sig.request("ping", undefined, timeout).catch((e) => {
        if (e.code === "TIMEOUT" && this._signal === sig) {
          log.warn("keep-alive unanswered; reconnecting");
          sig.failPending(() => fail("NETWORK_ERROR", "the connection to the server was lost"));
          sig.close(4000, "keep-alive timeout");
          this._onSignalClose(sig, { code: 4000 });
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
        await sig.request("leave", undefined, 3000);
      } catch (e) {
        log.debug("leave request", e);
      }
    }
    this._teardown("LEAVE");
  }

  _leaveNow() {
    const sig = this._signal;
    if (sig) sig.send("leave", undefined, true);
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
    if (sig) sig.close(1000, "leave");
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
    this.uid = undefined;
    this.channelName = undefined;
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
      if (seq <= this._lastSeq) return; // replayed after a resume, already handled
      this._lastSeq = seq;
    }
    switch (type) {
      case "user-joined": {
        if (this._users.has(d.uid)) {
          // Known before a rejoin: the user is still there.
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
        // Agora Web reports a remote setMuted/setEnabled as
        // user-info-updated plus user-unpublished / user-published.
        const u = this._users.get(d.uid);
        if (!u || u._muted[d.mediaType] === d.muted) return;
        const was = u._published[d.mediaType] && !u._muted[d.mediaType];
        u._muted[d.mediaType] = d.muted;
        this.emit("user-info-updated", u.uid, `${d.muted ? "mute" : "unmute"}-${d.mediaType}`);
        if (d.muted && was) {
          const key = d.mediaType === "audio" ? "audioTrack" : "videoTrack";
          if (u[key]) u[key].stop();
          u[key] = undefined;
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
        this.emit("channel-media-relay-state", state, code, d.channel || undefined);
        return;
      }
      case "relay-event":
        this.emit("channel-media-relay-event", RELAY_EVENTS[d.event] || String(d.event), d.channel || undefined);
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
    user[k] = undefined;
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
    const byMid = new Map();
    for (const tr of pc.getTransceivers()) if (tr.mid !== null) byMid.set(tr.mid, tr);
    this._downMids.clear();
    const present = new Set();
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
        // Renewed on a new connection (a rejoin): the app's track and
        // its player carry on with the new media.
        sub.track._swap(mst, tr.receiver, t.codec);
      }
    }
    // Subscriptions the server no longer carries ended (their user left
    // or unpublished; those events clean up too).
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
    return undefined;
  }

  async subscribe(user, mediaType) {
    this._requireJoined("subscribe");
    if (mediaType !== "audio" && mediaType !== "video") {
      if (mediaType === "datachannel") throw fail("NOT_SUPPORTED", "cohost has no data channels");
      throw fail("INVALID_PARAMS", `mediaType must be "audio" or "video" (got ${JSON.stringify(mediaType)})`);
    }
    const u = this._userOf(user);
    if (!u) throw fail("INVALID_REMOTE_USER", `user ${user && user.uid !== undefined ? user.uid : user} is not in the channel`);
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
    const offer = await pc.createOffer(opts && opts.iceRestart ? { iceRestart: true } : undefined);
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
    const list = (Array.isArray(tracks) ? tracks : [tracks]).filter((t) => t !== undefined && t !== null);
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
    let list = tracks === undefined || tracks === null ? this._localTracks.slice() : Array.isArray(tracks) ? tracks : [tracks];
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
      tr.sender.replaceTrack(null).catch(() => {});
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
    if (enc.bitrateMax) params.encodings[0].maxBitrate = enc.bitrateMax * 1000;
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
    if (options !== undefined && (typeof options !== "object" || options === null)) throw fail("INVALID_PARAMS", "options must be an object");
    if (this._state === "DISCONNECTING" && this._leaving) {
      // Issued during leave(): kept for the next join, as Agora does.
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
}

installClientCompat(AgoraRTCClient, clientRelay, clientStats, clientFailover, clientReconnect);

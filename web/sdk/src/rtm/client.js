// RtmClient: login and reconnection, the server's events, peer messages,
// channels, attributes, presence and invitations.
import { checkConfig } from "./config.js";
import { RtmChannel } from "./channel.js";
import { channelMetadata, clientMetadata, install } from "./compat.js";
import { clientMedia } from "./media.js";
import { LOCAL_FAILURES, NOT_LOGGED_IN, PEER_STATES, REASONS, REMOTE_FAILURES, STATES, fail } from "./codes.js";
import { Conn, PEER_MESSAGE_TIMEOUT_MS, PROTOCOL_VERSION, locator } from "./connection.js";
import { openFirst, rotate } from "../shared/failover.js";
import { EventEmitter, validId } from "./emitter.js";
import { Backoff, retry } from "../shared/backoff.js";
import { LocalInvitation, RemoteInvitation } from "./invitations.js";
import { log, setLogFilter } from "./log.js";
import { appMessage, attributeList, attributeMap, wireMessage } from "./messages.js";

export class RtmClient extends EventEmitter {
  constructor(appId, config) {
    super();
    this._appId = appId;
    this._config = config || {};
    this._state = "DISCONNECTED";
    this._conn = null;
    this._userId = "";
    this._token = "";
    this._sessionId = "";
    this._serverURL = ""; // the WebSocket URL of the server that last answered
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

  // _connect logs in on the first server that answers, the one that last
  // answered first (setServerURL with a list: failover).
  async _connect(timeoutMs) {
    const open = async (url) => {
      const c = new Conn((cc, t, d) => this._onEvent(cc, t, d), (cc) => this._onClose(cc), url);
      await c.open(timeoutMs);
      return c;
    };
    const urls = rotate(locator.wsURLs(), this._serverURL || "");
    const first = await openFirst(urls, open, new Backoff({ initialMs: 100, maxMs: 2000 }), () => this._state === "CONNECTING" || this._state === "RECONNECTING");
    this._serverURL = first.url;
    const conn = first.conn;
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
          const cb = conn.onClose;
          conn.close(4000, "keep-alive timeout");
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
    try {
      await retry(() => this._reconnectOnce(), () => this._state === "RECONNECTING", new Backoff({ initialMs: 100, maxMs: 2000 }));
    } finally {
      this._reconnecting = false;
    }
  }

  // _reconnectOnce makes one attempt to log in again; it returns true when
  // there is nothing more to try (connected, or the login was refused).
  async _reconnectOnce() {
    try {
      await this._connect(5000);
      if (this._state === "RECONNECTING") this._setState("CONNECTED", "LOGIN_SUCCESS");
      return true;
    } catch (e) {
      if (e.code === 5 || e.code === 6 || e.code === 4) {
        this._end("ABORTED", e.code === 6 ? "TOKEN_EXPIRED" : "LOGIN_FAILURE");
        if (e.code === 6) this.emit("TokenExpired");
        return true;
      }
      log.debug("reconnect attempt failed", e);
      return false;
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

  // setParameters sets Agora's private parameters, which tune Agora's SDK
  // and have no meaning here.
  setParameters() {
    throw fail(1, "cohost has no private RTM parameters", "NOT_SUPPORTED");
  }

  // updateConfig applies a new RtmConfig (its logFilter; cohost has no
  // other client-side settings).
  updateConfig(config) {
    checkConfig(config);
    this._config = Object.assign({}, this._config, config);
    if (config && config.logFilter && typeof config.logFilter.level === "number") setLogFilter(config.logFilter.level);
  }
}

install(RtmClient, clientMetadata);
install(RtmClient, clientMedia);
install(RtmChannel, channelMetadata);

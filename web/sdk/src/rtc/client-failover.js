// Rejoin: the client joins its channel again, with the same uid, role and
// publications, when its session cannot be resumed: on another server when
// the one holding the session stops (it announces its shutdown, or it
// cannot be reached while the client reconnects), one of the cluster's
// live nodes (the node list of the join and resume responses) or of the
// URLs given to setServerURL; on its own server first when the session
// expired there (client-reconnect.js). The app sees RECONNECTING →
// CONNECTED as for a resume, and the move is seamless as in Agora's SDK:
// the remote users it knew stay, with their RemoteUser objects and tracks
// (players resume on the new connection); the new server's announcements
// of them raise no event, except for a track that changed; those not
// announced again within the drop timeout are reported gone (user-left
// "ServerTimeOut", user-unpublished).
// A running channel media relay continues on the new server, paused if it
// was (client-relay.js): NETWORK_DISCONNECTED, then NETWORK_CONNECTED for
// each destination.
import { rotate } from "../shared/failover.js";
import { connectJoin } from "./join-connect.js";
import { log } from "./log.js";
import { locator } from "./signal.js";
import { ROLES } from "./validation.js";

// Refusals of a join that may pass later: the cluster is placing the
// channel again, or a node is full or stopping (as the Go SDK's
// transientJoinError).
const TRANSIENT = new Set([
  5, // ERR_REFUSED
  10, // ERR_TIMEDOUT
  22, // ERR_RESOURCE_LIMITED
  103, // ERR_NO_SERVER_RESOURCES
]);

export const clientFailover = {
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
      // The server's refusal ends the rejoin (DISCONNECTED with its
      // reason), unless it may pass: right after a node stops, the
      // cluster may not place the channel yet.
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
    // The tracks published, and those still being published again after
    // an earlier move (its publish fails with that session's connection).
    const tracks = [...new Set([...this._republishing, ...this._localTracks])];
    this._moveSession();
    this._serverURL = url;
    this._lastSeq = 0; // a new session: its events count from 1
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
    // A running relay continues there, after the tracks are published
    // again (it relays them).
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
    const away = { users: new Set(this._users.keys()), tracks: new Set() };
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
      // As a user-left from the server: user-unpublished first.
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
  },
};


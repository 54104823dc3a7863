// Failover of an RTC session to another server: when the server holding
// the session stops (it announces its shutdown, or it cannot be reached
// while the client reconnects), the client joins the channel again on
// another server, one of the cluster's live nodes (the node list of the
// join and resume responses) or of the URLs given to setServerURL, and
// publishes its tracks again. The app sees RECONNECTING → CONNECTED as for
// a resume; the remote users come back as on a first join (user-left, then
// user-joined and user-published from the new server).
import { rotate } from "../shared/failover.js";
import { fail } from "./errors.js";
import { connectJoin } from "./join-connect.js";
import { log } from "./log.js";
import { locator } from "./signal.js";
import { ROLES } from "./validation.js";

const NO_SERVER_RESOURCES = 103;

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

  // _rejoinOnce makes one attempt to join the channel on another server;
  // it returns true when there is nothing more to try.
  async _rejoinOnce() {
    const urls = this._failoverURLs();
    if (!urls.length) return false;
    const req = Object.assign({}, this._joinReq, { role: ROLES[this._role] });
    if (!req.account && this._wireUid) req.uid = this._wireUid;
    let sig, resp, url;
    try {
      ({ sig, resp, url } = await connectJoin(this, req, rotate(urls, urls[Math.floor(Math.random() * urls.length)])));
    } catch (e) {
      // The server's refusal ends the failover, except "no server
      // resources" (ERR_NO_SERVER_RESOURCES): right after a node stops, the
      // cluster may not place the channel yet.
      if (e.data && e.data.nativeCode && e.data.nativeCode !== NO_SERVER_RESOURCES) {
        log.warn("the channel could not be joined on another server", e);
        this._teardown(e.code === "TOKEN_EXPIRE" ? "TOKEN_EXPIRE" : "NETWORK_ERROR");
        return true;
      }
      log.debug("failover attempt failed", e);
      return false;
    }
    if (this._state !== "RECONNECTING" || this._signal !== sig) {
      sig.close();
      return true;
    }
    const tracks = this._localTracks.slice();
    this._dropSession();
    this._serverURL = url;
    this._lastSeq = 0;
    this._moveAway = false;
    this._applyJoin(resp);
    this._reconnecting = null;
    this._setState("CONNECTED");
    this._startTimers();
    log.info(`the session moved to ${url}`);
    if (tracks.length && !(this.mode === "live" && this._role === "audience")) {
      this.publish(tracks).catch((e) => log.warn("publishing again after the failover failed", e));
    }
    return true;
  },

  // _dropSession forgets what lived on the previous server: its peer
  // connections, subscriptions and remote users (reported as gone), and
  // the publications (the tracks stay the app's, to publish again).
  _dropSession() {
    for (const t of this._localTracks) t._clients.delete(this);
    this._localTracks = [];
    if (this._up) this._up.close();
    if (this._down) this._down.close();
    this._up = this._down = null;
    this._downMids.clear();
    for (const sub of this._subs.values()) {
      for (const w of sub.waiters) w.reject(fail("OPERATION_ABORTED", "the session moved to another server"));
      if (sub.track) sub.track.stop();
    }
    this._subs.clear();
    const users = [...this._users.values()];
    this._users.clear();
    for (const u of users) {
      for (const mt of ["audio", "video"]) {
        const key = mt === "audio" ? "audioTrack" : "videoTrack";
        const was = u[mt === "audio" ? "hasAudio" : "hasVideo"];
        u._published[mt] = false;
        u[key] = undefined;
        if (was) this.emit("user-unpublished", u, mt);
      }
      this.emit("user-left", u, "ServerTimeOut");
    }
  },
};

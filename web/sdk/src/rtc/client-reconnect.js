// Reconnection of an RTC session, as Agora's SDK reconnects: when the
// signalling connection breaks, the client reports RECONNECTING and
// resumes the session on the server that holds it, for up to the server's
// drop timeout. Once the server no longer holds the session (a resume is
// refused with SESSION_EXPIRED, the server ended it for a missed
// keep-alive, or the drop timeout passed), the client joins the channel
// again with the same uid, role and publications (client-failover.js), as
// it does when its server stops. The app sees RECONNECTING → CONNECTED,
// never DISCONNECTED in between; after RECONNECT_TIMEOUT_MS (Agora's 20
// minutes) without success, or when the server refuses the rejoin for
// good, it sees DISCONNECTED with Agora's reason.
import { Backoff, retry } from "../shared/backoff.js";
import { PROTOCOL_VERSION } from "./constants.js";
import { log } from "./log.js";

// ERR_NOT_IN_CHANNEL: the answer to a resume of a session the server no
// longer holds (reason SESSION_EXPIRED).
const NOT_IN_CHANNEL = 113;

// The reconnection backoff's cap, and its cap when other servers are
// known (as the Go SDK's).
const MAX_BACKOFF_MS = 2000;
const CLUSTER_MAX_BACKOFF_MS = 500;

export const clientReconnect = {
  _onSignalClose(sig, ev) {
    if (sig !== this._signal || this._ended) return;
    if (this._state === "DISCONNECTING" || this._state === "DISCONNECTED") return;
    if (this._state === "CONNECTING") return; // join() reports it
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
      // In a cluster the backoff stays short: once the registry marks a
      // dead node so, its channels move at the next attempt.
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
    // The session lives on the server that accepted the join.
    const sig = this._newSignal(this._serverURL);
    let opened = false;
    try {
      await sig.open(Math.max(1000, Math.min(5000, deadline - Date.now())));
      opened = true;
      if (this._state !== "RECONNECTING") {
        sig.close();
        return true;
      }
      this._signal = sig;
      // The server resends every event after lastSeq: those written to
      // the broken connection may never have arrived.
      const resp = await sig.request("resume", { version: PROTOCOL_VERSION, sessionId: this._sessionId, lastSeq: this._lastSeq }, 5000);
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
  },
};

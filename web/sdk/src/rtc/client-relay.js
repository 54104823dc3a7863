// The client's channel media relay calls (Agora's co-hosting across
// channels): each a request to the server, which runs the relay. The
// client keeps the last request the server took and whether the relay is
// paused, to continue a running relay on the node it joins again after
// its node died or stopped (client-failover.js), as the Go SDK does.
import { fail } from "./errors.js";
import { log } from "./log.js";
import { ChannelMediaRelayConfiguration } from "./relay-config.js";

export const clientRelay = {
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
    this.emit("channel-media-relay-event", "NETWORK_DISCONNECTED", undefined);
    return Object.assign({}, this._relayReq, { rejoin: true, paused: !!this._relayPaused });
  },

  // _continueRelay asks the new node to continue the relay, paused if it
  // was, once published settles: the server joins the destinations again
  // and reports NETWORK_CONNECTED for each. A refusal ends the relay with
  // RELAY_STATE_FAILURE (SERVER_CONNECTION_LOST).
  _continueRelay(req, published) {
    const sig = this._signal;
    published
      .then(() => this._request("relay-start", req))
      .catch((e) => {
        if (this._signal !== sig || this._relay !== "RELAY_STATE_RUNNING") return;
        log.warn("the channel media relay could not be continued on the new server", e);
        this._relay = "RELAY_STATE_FAILURE";
        this._relayPaused = false;
        this.emit("channel-media-relay-state", "RELAY_STATE_FAILURE", "SERVER_CONNECTION_LOST", undefined);
      });
  },
};

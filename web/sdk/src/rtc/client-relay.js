// The client's channel media relay calls (Agora's co-hosting across
// channels): each a request to the server, which runs the relay.
import { fail } from "./errors.js";
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
  },

  async updateChannelMediaRelay(config) {
    const req = this._relayRequest(config);
    this._requireJoined("updateChannelMediaRelay");
    await this._request("relay-update", req);
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
  },

  async resumeAllChannelMediaRelay() {
    this._requireJoined("resumeAllChannelMediaRelay");
    await this._request("relay-resume");
  },
};

// Agora's cloud proxy on cohost: the TURN relay the server hands out with
// every join (iceServers, with a credential bound to the session). Without
// a proxy the peer connections list those servers and fall back to them
// when the direct UDP path fails; startProxyServer(3) relays all media over
// UDP TURN, startProxyServer(5) over TURN over TLS on the server's HTTPS
// port (TURN over TCP when the server has no TLS).
import { fail } from "./errors.js";
import { log } from "./log.js";

// Agora Web's cloud proxy modes.
const PROXY_NONE = 0;
const PROXY_UDP = 3;
const PROXY_TLS = 5;

/**
 * @param {string[]} urls
 * @param {number} mode
 * @returns {string[]} the URLs mode uses: UDP TURN for 3; TURN over TLS
 * for 5, else TURN over TCP.
 */
function proxyURLs(urls, mode) {
  const tls = urls.filter((u) => u.startsWith("turns:"));
  const tcp = urls.filter((u) => u.startsWith("turn:") && u.includes("transport=tcp"));
  const udp = urls.filter((u) => u.startsWith("turn:") && !u.includes("transport=tcp"));
  if (mode === PROXY_UDP) return udp;
  return tls.length > 0 ? tls : tcp;
}

export const clientProxy = {
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
      return { iceServers: [...(this._iceServers || []), ...server], iceTransportPolicy: "all" };
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
  },
};

// installClientProxy puts the proxy around four steps of the client's own
// (client.js), each still running as it is: the peer connections'
// configuration gets the TURN servers and, under a proxy, the relay-only
// policy; every applied join response (join, resume, a failover's rejoin)
// brings the session's TURN servers, as does a renew-token answer; a join
// whose forced proxy has no server leaves and rejects with
// CAN_NOT_GET_PROXY_SERVER.
export function installClientProxy(cls) {
  const proto = cls.prototype;
  const { _pcConfig: pcConfig, _applyJoin: applyJoin, _request: request, join } = proto;
  proto._pcConfig = function () {
    return { ...pcConfig.call(this), ...clientProxy._iceConfig.call(this) };
  };
  proto._applyJoin = function (resp) {
    applyJoin.call(this, resp);
    clientProxy._renewIceServers.call(this, resp && resp.iceServers);
  };
  proto._request = async function (type, ...rest) {
    const resp = await request.call(this, type, ...rest);
    if (type === "renew-token" && resp && resp.iceServers) clientProxy._renewIceServers.call(this, resp.iceServers);
    return resp;
  };
  proto.join = async function (...args) {
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

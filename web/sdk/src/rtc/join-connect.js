// connectJoin opens the join's connection and sends the join: to the
// first server that answers when setServerURL names several (failover),
// then, in a cluster, to the node hosting the channel when the server
// answers with a redirect (docs/protocol.md, "Cluster: redirect and node
// list").
import { Backoff } from "../shared/backoff.js";
import { openFirst } from "../shared/failover.js";
import { fail } from "./errors.js";
import { log } from "./log.js";
import { locator } from "./signal.js";

// MAX_REDIRECTS bounds the redirects one join follows, as the Go SDK.
export const MAX_REDIRECTS = 4;
const OPEN_TIMEOUT_MS = 10000;

/**
 * connectJoin resolves with the accepted join's connection, response and
 * server URL. Each connection it opens becomes client._signal, so that a
 * leave() meanwhile closes it and ends the attempts. On failure the last
 * connection is closed.
 * @param {any} client the AgoraRTCClient
 * @param {any} req the JoinRequest
 * @param {string[]} urls the servers' WebSocket URLs, in the order to try them
 * @returns {Promise<{sig: any, resp: any, url: string}>}
 */
export async function connectJoin(client, req, urls) {
  /** @type {any} */
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
    let { url } = await openFirst(urls, open, new Backoff({ initialMs: 100, maxMs: 2000 }), stillJoining);
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

// preload: AgoraRTC.preload(appid, channel, token, uid), Agora's warm-up
// before a join. cohost's warms up the connection a join will use (DNS,
// TCP, TLS and the WebSocket upgrade) with the first server that answers,
// so that servers that cannot be reached are reported before the join.
import { fail } from "./errors.js";
import { locator, newSignal } from "./signal.js";
import { Backoff } from "../shared/backoff.js";
import { openFirst } from "../shared/failover.js";
import { checkChannel } from "./validation.js";

const PRELOAD_TIMEOUT_MS = 10000;

/**
 * @param {string} appid
 * @param {string} channel
 * @param {any} uid
 */
export async function preload(appid, channel, uid) {
  if (typeof appid !== "string" || !appid) throw fail("INVALID_PARAMS", "appid must be a non-empty string");
  checkChannel(channel, "channel");
  if (uid !== undefined && uid !== null && typeof uid !== "string" && !(Number.isInteger(uid) && uid >= 0 && uid <= 0xffffffff)) {
    throw fail("INVALID_PARAMS", "invalid uid", uid);
  }
  const open = async (url) => {
    const conn = newSignal(() => {}, null, url);
    try {
      await conn.open(PRELOAD_TIMEOUT_MS);
    } finally {
      conn.close();
    }
  };
  await openFirst(locator.wsURLs(), open, new Backoff({ initialMs: 100, maxMs: 2000 }), () => true);
}

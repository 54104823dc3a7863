// openFirst connects to the first of several servers that answers: the
// SDKs' failover when setServerURL names more than one. The servers are
// tried in order, with the shared jittered backoff between attempts, so
// the clients of a stopped server do not all move to the next one at the
// same instant.
import { sleep } from "./backoff.js";

/**
 * @template T
 * @param {string[]} urls the WebSocket URLs, in the order to try them
 * @param {(url: string) => Promise<T>} open connects to one; it rejects when the server does not answer
 * @param {import("./backoff.js").Backoff} backoff
 * @param {() => boolean} keepGoing false stops the attempts (the app left)
 * @returns {Promise<{url: string, conn: T}>} the server that answered and the connection; the last error when none did
 */
export async function openFirst(urls, open, backoff, keepGoing) {
  let last;
  for (let i = 0; i < urls.length; i++) {
    if (i > 0) await sleep(backoff.next());
    if (i > 0 && !keepGoing()) break;
    try {
      return { url: urls[i], conn: await open(urls[i]) };
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/**
 * rotate returns urls starting at first (when it is one of them), the
 * others after it in their order: the server that last answered is tried
 * first.
 * @param {string[]} urls
 * @param {string} first
 */
export function rotate(urls, first) {
  const i = urls.indexOf(first);
  return i <= 0 ? urls : [...urls.slice(i), ...urls.slice(0, i)];
}

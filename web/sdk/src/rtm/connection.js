// The RTM SDK's connection to the server's /v1/rtm endpoint (docs/rtm.md):
// the shared Connection, with RTM's errors. A request names the failure
// code of its operation, used when it fails without the server's answer.
import { Connection } from "../shared/connection.js";
import { ServerLocator } from "../shared/server-url.js";
import { RtmError, fail } from "./codes.js";

export const PROTOCOL_VERSION = 1;
export const RTM_PATH = "/v1/rtm";
export const REQUEST_TIMEOUT_MS = 15000;
// The server answers a peer message once the receiver acknowledged it, or
// after its own 10 s timeout: wait a little longer than that.
export const PEER_MESSAGE_TIMEOUT_MS = 20000;

// locator is the server this SDK talks to.
export const locator = new ServerLocator(RTM_PATH, () => new RtmError(101, "no cohost server URL: call AgoraRTM.setServerURL(url) first"));

/** @type {import("../shared/connection.js").ErrorFactory} */
const errors = {
  openFailed: (url, detail) => fail(9, `cannot open ${url}: ${detail}`, "TIMEOUT"),
  noAnswer: (url) => fail(9, `no answer from ${url}`, "TIMEOUT"),
  refused: (url) => fail(9, `cannot connect to ${url}`, "TIMEOUT"),
  closed: (ev, failCode) => fail(failCode, "the connection to the server closed", "NETWORK_ERROR"),
  notConnected: (type, failCode) => fail(failCode, `not connected (${type})`, "NOT_CONNECTED"),
  timeout: (type, ms, failCode) => fail(failCode, `no response to ${type}`, "TIMEOUT"),
  server: (e) => new RtmError(e.code, e.message, e.name, e.reason ? { reason: e.reason } : undefined),
};

export class Conn extends Connection {
  /**
   * @param {(conn: Connection, type: string, data: any) => void} onEvent
   * @param {(conn: Connection) => void} onClose
   * @param {string} url the server's WebSocket URL
   */
  constructor(onEvent, onClose, url) {
    super(url, { onEvent, onClose, errors, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  }

  /**
   * request sends a request; failCode is the operation's code for a
   * failure without a server answer (timeout, closed connection).
   * @param {string} type
   * @param {any} data
   * @param {number} failCode
   * @param {number} [timeoutMs]
   */
  // @ts-ignore: RTM's argument order (failCode before the timeout)
  request(type, data, failCode, timeoutMs) {
    return super.request(type, data, timeoutMs, failCode);
  }
}

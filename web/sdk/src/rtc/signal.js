// Signalling: the RTC SDK's connection to the server's /v1/signal endpoint,
// requests with ids and their responses, events in order (docs/protocol.md).
import { Connection } from "../shared/connection.js";
import { ServerLocator } from "../shared/server-url.js";
import { AgoraRTCError, fail, serverError } from "./errors.js";
import { REQUEST_TIMEOUT_MS, SIGNAL_PATH } from "./constants.js";
import { log } from "./log.js";

// locator is the server this SDK talks to.
export const locator = new ServerLocator(SIGNAL_PATH, () => new AgoraRTCError("INVALID_OPERATION", "no cohost server URL: call AgoraRTC.setServerURL(url) first"));

/** @type {import("../shared/connection.js").ErrorFactory} */
const errors = {
  openFailed: (url, detail) => fail("CAN_NOT_GET_GATEWAY_SERVER", `cannot open ${url}: ${detail}`),
  noAnswer: (url) => fail("CAN_NOT_GET_GATEWAY_SERVER", `no answer from ${url}`),
  refused: (url) => fail("CAN_NOT_GET_GATEWAY_SERVER", `cannot connect to ${url}`),
  closed: (ev) => fail("NETWORK_ERROR", `the connection to the server closed (${ev.code}${ev.reason ? " " + ev.reason : ""})`),
  notConnected: (type) => fail("NETWORK_ERROR", `not connected to the server (${type})`),
  timeout: (type, ms) => fail("TIMEOUT", `no response to ${type} within ${ms} ms`),
  server: serverError,
};

/**
 * newSignal returns an unopened connection to the signalling endpoint.
 * @param {(conn: Connection, type: string, data: any, seq?: number) => void} onEvent
 * @param {(conn: Connection, ev: any) => void} onClose
 * @param {string} [url] the server's WebSocket URL (the first server's by default)
 */
export function newSignal(onEvent, onClose, url) {
  return new Connection(url || locator.wsURL(), {
    onEvent,
    onClose,
    errors,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    onUndecodable: (msg, text) => log.warn(msg, text),
  });
}

import { log } from "./log.js";

// AgoraRTCErrorCode: the strings of Agora Web's error codes that this SDK
// produces (the server sends the Web code of every failure it reports).
export const AgoraRTCErrorCode = Object.freeze({
  UNEXPECTED_ERROR: "UNEXPECTED_ERROR",
  UNEXPECTED_RESPONSE: "UNEXPECTED_RESPONSE",
  TIMEOUT: "TIMEOUT",
  INVALID_PARAMS: "INVALID_PARAMS",
  NOT_SUPPORTED: "NOT_SUPPORTED",
  INVALID_OPERATION: "INVALID_OPERATION",
  OPERATION_ABORTED: "OPERATION_ABORTED",
  NETWORK_ERROR: "NETWORK_ERROR",
  NETWORK_TIMEOUT: "NETWORK_TIMEOUT",
  WS_ABORT: "WS_ABORT",
  WS_DISCONNECT: "WS_DISCONNECT",
  WS_ERR: "WS_ERR",
  CAN_NOT_GET_GATEWAY_SERVER: "CAN_NOT_GET_GATEWAY_SERVER",
  CAN_NOT_GET_PROXY_SERVER: "CAN_NOT_GET_PROXY_SERVER",
  UID_CONFLICT: "UID_CONFLICT",
  TOKEN_EXPIRE: "TOKEN_EXPIRE",
  PERMISSION_DENIED: "PERMISSION_DENIED",
  DEVICE_NOT_FOUND: "DEVICE_NOT_FOUND",
  NOT_READABLE: "NOT_READABLE",
  CONSTRAINT_NOT_SATISFIED: "CONSTRAINT_NOT_SATISFIED",
  INVALID_LOCAL_TRACK: "INVALID_LOCAL_TRACK",
  INVALID_REMOTE_USER: "INVALID_REMOTE_USER",
  REMOTE_USER_IS_NOT_PUBLISHED: "REMOTE_USER_IS_NOT_PUBLISHED",
  CAN_NOT_PUBLISH_MULTIPLE_VIDEO_TRACKS: "CAN_NOT_PUBLISH_MULTIPLE_VIDEO_TRACKS",
  SUBSCRIBE_FAILED: "SUBSCRIBE_FAILED",
  CROSS_CHANNEL_WAIT_STATUS_ERROR: "CROSS_CHANNEL_WAIT_STATUS_ERROR",
  CROSS_CHANNEL_FAILED_JOIN_SRC: "CROSS_CHANNEL_FAILED_JOIN_SEC",
  CROSS_CHANNEL_FAILED_JOIN_DEST: "CROSS_CHANNEL_FAILED_JOIN_DEST",
  CROSS_CHANNEL_FAILED_PACKET_SENT_TO_DEST: "CROSS_CHANNEL_FAILED_PACKET_SENT_TO_DEST",
  CROSS_CHANNEL_SERVER_ERROR_RESPONSE: "CROSS_CHANNEL_SERVER_ERROR_RESPONSE",
});

// AgoraRTCError is the shape of every error this SDK throws or rejects
// with: code (an AgoraRTCErrorCode string), message, data. For failures
// the server reported, data carries the native code and name
// ({nativeCode: 119, nativeName: "ERR_SET_CLIENT_ROLE_NOT_AUTHORIZED",
// reason: 2}).
export class AgoraRTCError extends Error {
  constructor(code, message, data) {
    super(message || code);
    this.name = "AgoraRTCException";
    this.code = code;
    this.data = data;
  }
  toString() {
    return `AgoraRTCError ${this.code}: ${this.message}`;
  }
  print() {
    log.error(this.toString());
    return this;
  }
}

export function serverError(e) {
  const data = { nativeCode: e.code, nativeName: e.name };
  if (e.reason) data.reason = e.reason;
  return new AgoraRTCError(e.web || "UNEXPECTED_ERROR", e.message || e.name || "request failed", data);
}

export const fail = (code, message, data) => new AgoraRTCError(code, message, data);

// Validation of channel names, uids and roles, and the wire codes of roles,
// offline and disconnect reasons.
import { fail } from "./errors.js";

export const CHANNEL_RE = /^[a-zA-Z0-9 !#$%&()+\-:;<=.>?@[\]^_{}|~,]{1,64}$/;
export const ACCOUNT_RE = /^[a-zA-Z0-9 !#$%&()+\-:;<=.>?@[\]^_{}|~,]{1,255}$/;

export function checkChannel(name, what) {
  if (typeof name !== "string" || !CHANNEL_RE.test(name)) {
    throw fail("INVALID_PARAMS", `${what || "channel name"} must be 1–64 characters of a-z A-Z 0-9 space and !#$%&()+-:;<=.>?@[]^_{}|~, (got ${JSON.stringify(name)})`);
  }
}

export function isUint32(n) {
  return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

export function checkUid(uid, what) {
  if (!isUint32(uid)) throw fail("INVALID_PARAMS", `${what || "uid"} must be an integer in [0, 2^32-1] (got ${JSON.stringify(uid)})`);
}

export const ROLES = { host: 1, audience: 2 };
export const ROLE_NAMES = { 1: "host", 2: "audience" };
export const OFFLINE_REASONS = { 0: "Quit", 1: "ServerTimeOut", 2: "BecomeAudience" };
// CONNECTION_CHANGED_REASON of a server "disconnect" → Agora Web's
// ConnectionDisconnectedReason.
export const DISCONNECT_REASONS = { 3: "UID_BANNED", 9: "TOKEN_EXPIRE", 14: "NETWORK_ERROR", 19: "UID_BANNED", 100: "SERVER_ERROR", 101: "NETWORK_ERROR" };

import { fail } from "./codes.js";

// ---------------------------------------------------------------- messages

export function toBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(b64) {
  const s = atob(b64 || "");
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// wireMessage turns an RtmMessage ({text} or {rawMessage, description})
// into the protocol's message.
export function wireMessage(message, invalidCode) {
  if (!message || typeof message !== "object") throw fail(invalidCode, "the message must be {text} or {rawMessage, description}", "INVALID_MESSAGE");
  if (message.messageType === "RAW" || message.rawMessage !== undefined) {
    if (!(message.rawMessage instanceof Uint8Array)) throw fail(invalidCode, "rawMessage must be a Uint8Array", "INVALID_MESSAGE");
    return { type: 2, raw: toBase64(message.rawMessage), description: message.description || "" };
  }
  if (typeof message.text !== "string") throw fail(invalidCode, "text must be a string", "INVALID_MESSAGE");
  return { type: 1, text: message.text };
}

export function appMessage(m) {
  if (m.type === 2) return { messageType: "RAW", rawMessage: fromBase64(m.raw), description: m.description || "" };
  return { messageType: "TEXT", text: m.text || "" };
}

export function attributeMap(list, full) {
  const out = {};
  for (const a of list || []) {
    out[a.key] = full ? { value: a.value, lastUpdateUserId: a.lastUpdateUserId || "", lastUpdateTs: a.lastUpdateTs || 0, revision: a.revision || 0 } : a.value;
  }
  return out;
}

export function attributeList(map, code) {
  if (!map || typeof map !== "object") throw fail(code, "attributes must be an object of string values", "INVALID_ARGUMENT");
  return Object.keys(map).map((key) => {
    if (typeof map[key] !== "string") throw fail(code, `attribute ${key} must be a string`, "INVALID_ARGUMENT");
    return { key, value: map[key] };
  });
}

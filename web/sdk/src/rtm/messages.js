// Messages between the app's form and the protocol's, and attributes.
import { fail } from "./codes.js";

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

// MEDIA_TYPES: the protocol's numbers of the media message types.
const MEDIA_TYPES = { FILE: 3, IMAGE: 4 };

// wireMessage turns an RtmMessage ({text}, {rawMessage, description}, or a
// FILE / IMAGE message made by createMediaMessageBy…) into the protocol's
// message.
export function wireMessage(message, invalidCode) {
  if (!message || typeof message !== "object") throw fail(invalidCode, "the message must be {text} or {rawMessage, description}", "INVALID_MESSAGE");
  if (message.messageType === "FILE" || message.messageType === "IMAGE") {
    if (typeof message.mediaId !== "string" || !message.mediaId) throw fail(invalidCode, "a FILE or IMAGE message needs its mediaId", "INVALID_MESSAGE");
    if (message.thumbnail && !message._thumbnail) {
      throw fail(invalidCode, "create FILE and IMAGE messages with createMediaMessageByUploading or createMediaMessageByMediaId", "INVALID_MESSAGE");
    }
    const media = { mediaId: message.mediaId, size: message.size || 0, fileName: message.fileName || "" };
    if (message._thumbnail && message._thumbnail.length) media.thumbnail = toBase64(message._thumbnail);
    if (message.messageType === "IMAGE") {
      Object.assign(media, { width: message.width || 0, height: message.height || 0, thumbnailWidth: message.thumbnailWidth || 0, thumbnailHeight: message.thumbnailHeight || 0 });
    }
    return { type: MEDIA_TYPES[message.messageType], description: message.description || "", media };
  }
  if (message.messageType === "RAW" || message.rawMessage !== undefined) {
    if (!(message.rawMessage instanceof Uint8Array)) throw fail(invalidCode, "rawMessage must be a Uint8Array", "INVALID_MESSAGE");
    return { type: 2, raw: toBase64(message.rawMessage), description: message.description || "" };
  }
  if (typeof message.text !== "string") throw fail(invalidCode, "text must be a string", "INVALID_MESSAGE");
  return { type: 1, text: message.text };
}

export function appMessage(m) {
  if ((m.type === MEDIA_TYPES.FILE || m.type === MEDIA_TYPES.IMAGE) && m.media) return mediaMessage(m.type === MEDIA_TYPES.FILE ? "FILE" : "IMAGE", m.media, m.description || "", m.media.thumbnail ? fromBase64(m.media.thumbnail) : null);
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

// mediaMessage builds the app's FILE or IMAGE message; thumb (the
// thumbnail's bytes) is kept for sending it on.
export function mediaMessage(type, media, description, thumb) {
  const m = { messageType: type, mediaId: media.mediaId, size: media.size || 0, fileName: media.fileName || "", description: description || "",
    thumbnail: thumb && thumb.length ? new Blob([thumb]) : undefined };
  if (type === "IMAGE") {
    Object.assign(m, { width: media.width || 0, height: media.height || 0, thumbnailWidth: media.thumbnailWidth || 0, thumbnailHeight: media.thumbnailHeight || 0 });
  }
  Object.defineProperty(m, "_thumbnail", { value: thumb || null, enumerable: false });
  return m;
}

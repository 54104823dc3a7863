// Files and images (RTM FILE and IMAGE messages): uploaded to and
// downloaded from the server's media store over HTTP, as signalling
// frames are capped at 64 KB. Agora's limits: 30 MB a file, 9 transfers
// of each kind at once, thumbnail + file name + description ≤ 32 KB; its
// UPLOAD_MEDIA_ERR / DOWNLOAD_MEDIA_ERR codes.
import { RtmError, NOT_LOGGED_IN } from "./codes.js";
import { locator } from "./connection.js";
import { mediaMessage } from "./messages.js";

const MEDIA_PATH = "/v1/rtm/media";
const MAX_SIZE = 30 << 20;
const MAX_AT_ONCE = 9;
const MAX_META = 32 << 10;
const TIMEOUT_MS = 10 * 60 * 1000;

const UPLOAD = { name: "UPLOAD_MEDIA_ERR", FAILURE: 1, INVALID_ARGUMENT: 2, TIMEOUT: 3, SIZE_OVERFLOW: 4, CONCURRENCY_LIMIT_EXCEEDED: 5, INTERRUPTED: 6, NOT_LOGGED_IN };
const DOWNLOAD = { name: "DOWNLOAD_MEDIA_ERR", FAILURE: 1, INVALID_ARGUMENT: 2, TIMEOUT: 3, NOT_EXIST: 4, CONCURRENCY_LIMIT_EXCEEDED: 5, INTERRUPTED: 6, NOT_LOGGED_IN };

const err = (kind, what, message) => new RtmError(kind[what], message, `${kind.name}_${what}`);

// transfer runs one HTTP request with the logged-in user's credentials,
// reporting progress and honouring an abort signal.
function transfer(client, kind, method, path, body, handler) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, locator.base() + MEDIA_PATH + path);
    xhr.responseType = method === "GET" ? "blob" : "json";
    xhr.timeout = TIMEOUT_MS;
    xhr.setRequestHeader("Authorization", "Bearer " + client._sessionId);
    xhr.setRequestHeader("X-Cohost-App", client._appId);
    xhr.setRequestHeader("X-Cohost-User", client._userId);
    const signal = handler && handler.cancelSignal;
    const progress = handler && handler.onOperationProgress;
    if (progress) {
      const target = method === "GET" ? xhr : xhr.upload;
      target.onprogress = (ev) => progress({ currentSize: ev.loaded, totalSize: ev.lengthComputable ? ev.total : 0 });
    }
    const onAbort = () => xhr.abort();
    if (signal) {
      if (signal.aborted) {
        reject(err(kind, "INTERRUPTED", "cancelled"));
        return;
      }
      signal.addEventListener("abort", onAbort, { once: true });
    }
    const done = () => signal && signal.removeEventListener("abort", onAbort);
    xhr.onload = async () => {
      done();
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(xhr.response);
        return;
      }
      let e = xhr.response;
      if (e instanceof Blob) {
        try {
          e = JSON.parse(await e.text());
        } catch (x) {
          e = null;
        }
      }
      reject(e && e.code ? new RtmError(e.code, e.message, e.name) : err(kind, "FAILURE", `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => {
      done();
      reject(err(kind, "FAILURE", "the request to the media store failed"));
    };
    xhr.ontimeout = () => {
      done();
      reject(err(kind, "TIMEOUT", "the transfer took too long"));
    };
    xhr.onabort = () => {
      done();
      reject(err(kind, "INTERRUPTED", "cancelled"));
    };
    xhr.send(body);
  });
}

async function bytesOf(blob) {
  return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
}

// metaSize checks thumbnail + file name + description against Agora's limit.
function checkMeta(kind, thumb, params) {
  const n = (thumb ? thumb.length : 0) + new TextEncoder().encode(params.fileName || "").length + new TextEncoder().encode(params.description || "").length;
  if (n > MAX_META) throw err(kind, "SIZE_OVERFLOW", `thumbnail, file name and description are ${n} bytes, over the limit of ${MAX_META}`);
}

function messageType(kind, params) {
  const t = params.messageType || "FILE";
  if (t !== "FILE" && t !== "IMAGE") throw err(kind, "INVALID_ARGUMENT", `messageType must be "FILE" or "IMAGE"`);
  return t;
}

export const clientMedia = {
  // createMediaMessageByUploading uploads payload (a Blob or File) and
  // resolves with the FILE or IMAGE message that refers to it.
  async createMediaMessageByUploading(payload, params, transHandler) {
    this._check(UPLOAD.NOT_LOGGED_IN);
    params = params || {};
    if (!(payload instanceof Blob)) throw err(UPLOAD, "INVALID_ARGUMENT", "payload must be a Blob or a File");
    if (payload.size === 0) throw err(UPLOAD, "INVALID_ARGUMENT", "payload is empty");
    if (payload.size > MAX_SIZE) throw err(UPLOAD, "SIZE_OVERFLOW", `${payload.size} bytes, over the limit of ${MAX_SIZE}`);
    const type = messageType(UPLOAD, params);
    const thumb = await bytesOf(params.thumbnail);
    checkMeta(UPLOAD, thumb, params);
    if ((this._uploads || 0) >= MAX_AT_ONCE) throw err(UPLOAD, "CONCURRENCY_LIMIT_EXCEEDED", `already ${MAX_AT_ONCE} uploads at once`);
    this._uploads = (this._uploads || 0) + 1;
    try {
      const r = await transfer(this, UPLOAD, "POST", "", payload, transHandler);
      const fileName = params.fileName !== undefined ? params.fileName : payload instanceof File ? payload.name : "";
      return mediaMessage(type, Object.assign({}, params, { mediaId: r.mediaId, size: r.size, fileName }), params.description, thumb);
    } finally {
      this._uploads--;
    }
  },

  // createMediaMessageByMediaId makes the message of an earlier upload
  // (the store keeps uploads seven days); it checks that the upload exists.
  async createMediaMessageByMediaId(mediaId, params) {
    this._check(UPLOAD.NOT_LOGGED_IN);
    params = params || {};
    if (typeof mediaId !== "string" || !/^[0-9a-f]{32}$/.test(mediaId)) throw err(UPLOAD, "INVALID_ARGUMENT", `invalid media id ${JSON.stringify(mediaId)}`);
    const type = messageType(UPLOAD, params);
    const thumb = await bytesOf(params.thumbnail);
    checkMeta(UPLOAD, thumb, params);
    const size = await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("HEAD", locator.base() + MEDIA_PATH + "/" + mediaId);
      xhr.setRequestHeader("Authorization", "Bearer " + this._sessionId);
      xhr.setRequestHeader("X-Cohost-App", this._appId);
      xhr.setRequestHeader("X-Cohost-User", this._userId);
      xhr.onload = () => (xhr.status === 200 ? resolve(Number(xhr.getResponseHeader("Content-Length")) || 0)
        : reject(xhr.status === 404 ? err(DOWNLOAD, "NOT_EXIST", `no media ${mediaId} (or it expired)`) : err(UPLOAD, "FAILURE", `HTTP ${xhr.status}`)));
      xhr.onerror = () => reject(err(UPLOAD, "FAILURE", "the request to the media store failed"));
      xhr.send();
    });
    return mediaMessage(type, Object.assign({}, params, { mediaId, size }), params.description, thumb);
  },

  // downloadMedia resolves with the uploaded file as a Blob.
  async downloadMedia(mediaId, transHandler) {
    this._check(DOWNLOAD.NOT_LOGGED_IN);
    if (typeof mediaId !== "string" || !/^[0-9a-f]{32}$/.test(mediaId)) throw err(DOWNLOAD, "INVALID_ARGUMENT", `invalid media id ${JSON.stringify(mediaId)}`);
    if ((this._downloads || 0) >= MAX_AT_ONCE) throw err(DOWNLOAD, "CONCURRENCY_LIMIT_EXCEEDED", `already ${MAX_AT_ONCE} downloads at once`);
    this._downloads = (this._downloads || 0) + 1;
    try {
      return await transfer(this, DOWNLOAD, "GET", "/" + mediaId, null, transHandler);
    } finally {
      this._downloads--;
    }
  },
};

// Autoplay: a player whose play() the browser refused reports it here; the
// SDK object forwards it to the application's callbacks.

/** @type {((kind: string) => void) | null} */
let handler = null;

/** @param {(kind: string) => void} fn */
export function onAutoplayFailed(fn) {
  handler = fn;
}

/** @param {string} kind the track's media type, "audio" or "video" */
export function autoplayFailed(kind) {
  if (handler) handler(kind);
}

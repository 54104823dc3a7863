// The one AudioContext of the SDK (volume levels), created on first use.

/** @type {AudioContext | null} */
let ctx = null;

/** @returns {AudioContext} */
export function sharedAudioContext() {
  ctx = ctx || new AudioContext();
  return ctx;
}

/** The AudioContext if one was created. */
export function existingAudioContext() {
  return ctx;
}

// Logging to the console, filtered by AgoraRTC.setLogLevel.
export const LOG = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3, NONE: 4 };
let logLevel = LOG.INFO;

/** @param {number} level */
export function setLogLevel(level) {
  logLevel = level;
}

export const log = {
  debug: (...a) => logLevel <= LOG.DEBUG && console.debug("[cohost-rtc]", ...a),
  info: (...a) => logLevel <= LOG.INFO && console.info("[cohost-rtc]", ...a),
  warn: (...a) => logLevel <= LOG.WARNING && console.warn("[cohost-rtc]", ...a),
  error: (...a) => logLevel <= LOG.ERROR && console.error("[cohost-rtc]", ...a),
};

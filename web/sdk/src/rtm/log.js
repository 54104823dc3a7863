// Logging to the console, filtered by createInstance's logFilter.
let logFilter = 1; // 0 off … 4 debug, roughly as Agora's LOG_FILTER_*

/** @param {number} level */
export function setLogFilter(level) {
  logFilter = level;
}

export const log = {
  debug: (...a) => logFilter >= 4 && console.debug("[cohost-rtm]", ...a),
  info: (...a) => logFilter >= 3 && console.info("[cohost-rtm]", ...a),
  warn: (...a) => logFilter >= 2 && console.warn("[cohost-rtm]", ...a),
  error: (...a) => logFilter >= 1 && console.error("[cohost-rtm]", ...a),
};

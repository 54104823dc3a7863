// Entry of the classic script cohost-rtm.js: defines the global AgoraRTM
// (once: a second copy of the script keeps the first one's object) and
// talks to the server the script was loaded from.
import "./regenerator.js";
import { AgoraRTM } from "./sdk.js";
import { locator } from "./connection.js";

const root = /** @type {any} */ (globalThis);
if (!(root.AgoraRTM && root.AgoraRTM.__cohost)) {
  const script = typeof document !== "undefined" && document.currentScript && /** @type {HTMLScriptElement} */ (document.currentScript).src;
  locator.setScriptURL(script || "");
  root.AgoraRTM = AgoraRTM;
}

// Entry of the classic script cohost-rtc.js: defines the global AgoraRTC
// (once: a second copy of the script keeps the first one's object) and
// talks to the server the script was loaded from.
import { AgoraRTC } from "./sdk.js";
import { locator } from "./signal.js";

const root = /** @type {any} */ (globalThis);
if (!(root.AgoraRTC && root.AgoraRTC.__cohost)) {
  const script = typeof document !== "undefined" && document.currentScript && /** @type {HTMLScriptElement} */ (document.currentScript).src;
  locator.setScriptURL(script || "");
  root.AgoraRTC = AgoraRTC;
}

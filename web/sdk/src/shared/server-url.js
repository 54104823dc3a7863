// ServerLocator finds the cohost server an SDK talks to: the URL set with
// setServerURL, else the place the script or module was loaded from (the
// part before "/sdk/"), else the page's origin.
export class ServerLocator {
  /**
   * @param {string} path the WebSocket endpoint's path, e.g. "/v1/signal"
   * @param {() => Error} missing the error when no server can be found
   */
  constructor(path, missing) {
    this.path = path;
    this.missing = missing;
    this.override = "";
    this.scriptURL = "";
    this.moduleURL = "";
  }

  /** @param {string} url the URL of the classic script (document.currentScript.src) */
  setScriptURL(url) {
    this.scriptURL = url || "";
  }

  /** @param {string} url the URL of the ES module (import.meta.url), kept if no script URL is known */
  setModuleURL(url) {
    if (!this.scriptURL && !this.moduleURL) this.moduleURL = url || "";
  }

  /** @param {string} [url] */
  setServerURL(url) {
    if (url) {
      const u = new URL(url, typeof location !== "undefined" ? location.href : undefined);
      this.override = u.origin + u.pathname.replace(/\/$/, "");
    } else {
      this.override = "";
    }
  }

  /** base is the HTTP(S) base URL of the server. */
  base() {
    if (this.override) return this.override;
    const src = [this.scriptURL, this.moduleURL].find((u) => /^https?:/.test(u));
    if (src) {
      const u = new URL(src);
      const i = u.pathname.lastIndexOf("/sdk/");
      return u.origin + (i > 0 ? u.pathname.slice(0, i) : "");
    }
    if (typeof location !== "undefined" && /^https?:$/.test(location.protocol)) return location.origin;
    throw this.missing();
  }

  /** wsURL is the WebSocket URL of the SDK's endpoint. */
  wsURL() {
    const u = new URL(this.base());
    u.protocol = u.protocol === "https:" || u.protocol === "wss:" ? "wss:" : "ws:";
    u.pathname = u.pathname.replace(/\/$/, "") + this.path;
    u.search = "";
    u.hash = "";
    return u.toString();
  }
}

// ServerLocator finds the cohost servers an SDK talks to: the URLs set
// with setServerURL (one, or a list tried in order when a server does not
// answer), else the place the script or module was loaded from (the part
// before "/sdk/"), else the page's origin.
export class ServerLocator {
  /**
   * @param {string} path the WebSocket endpoint's path, e.g. "/v1/signal"
   * @param {() => Error} missing the error when no server can be found
   */
  constructor(path, missing) {
    this.path = path;
    this.missing = missing;
    /** @type {string[]} */
    this.overrides = [];
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

  /**
   * setServerURL sets the server, or the servers in the order they are
   * tried; an empty value goes back to the default.
   * @param {string | string[]} [url]
   */
  setServerURL(url) {
    const list = (Array.isArray(url) ? url : [url]).filter((x) => x !== undefined && x !== null && x !== "");
    this.overrides = list.map((x) => {
      const u = new URL(String(x), typeof location !== "undefined" ? location.href : undefined);
      return u.origin + u.pathname.replace(/\/$/, "");
    });
  }

  /** bases are the HTTP(S) base URLs of the servers, in the order they are tried. */
  bases() {
    return this.overrides.length ? this.overrides.slice() : [this.base()];
  }

  /** base is the HTTP(S) base URL of the (first) server. */
  base() {
    if (this.overrides.length) return this.overrides[0];
    const src = [this.scriptURL, this.moduleURL].find((u) => /^https?:/.test(u));
    if (src) {
      const u = new URL(src);
      const i = u.pathname.lastIndexOf("/sdk/");
      return u.origin + (i > 0 ? u.pathname.slice(0, i) : "");
    }
    if (typeof location !== "undefined" && /^https?:$/.test(location.protocol)) return location.origin;
    throw this.missing();
  }

  /** wsURLs are the WebSocket URLs of the SDK's endpoint on each server, in order. */
  wsURLs() {
    return this.bases().map((b) => this.wsURL(b));
  }

  /**
   * wsURL is the WebSocket URL of the SDK's endpoint on base (the first
   * server by default).
   * @param {string} [base]
   */
  wsURL(base) {
    const u = new URL(base || this.base());
    u.protocol = u.protocol === "https:" || u.protocol === "wss:" ? "wss:" : "ws:";
    u.pathname = u.pathname.replace(/\/$/, "") + this.path;
    u.search = "";
    u.hash = "";
    return u.toString();
  }
}

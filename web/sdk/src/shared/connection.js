// Connection is one WebSocket to a cohost server, shared by the RTC and RTM
// SDKs: requests carry ids and are matched with their responses, everything
// else is an event handed to onEvent in arrival order.
//
// The errors it produces are the SDK's own (AgoraRTCError or RtmError): the
// SDK passes an ErrorFactory. tag is whatever the SDK attached to a request
// (RTM: the operation's failure code) and is handed back to the factory.

/**
 * @typedef {object} ErrorFactory
 * @property {(url: string, detail: string) => Error} openFailed the WebSocket could not be created
 * @property {(url: string) => Error} noAnswer the server did not accept the connection in time
 * @property {(url: string) => Error} refused the connection closed before it opened
 * @property {(ev: CloseEvent, tag: any) => Error} closed the connection closed with the request pending
 * @property {(type: string, tag: any) => Error} notConnected a request on a connection that is not open
 * @property {(type: string, timeoutMs: number, tag: any) => Error} timeout no response in time
 * @property {(error: any) => Error} server the server answered with an error
 */

/**
 * @typedef {object} ConnectionOptions
 * @property {(conn: Connection, type: string, data: any, seq?: number) => void} [onEvent]
 * @property {((conn: Connection, ev: any) => void) | null} [onClose] called once when an open connection closes
 * @property {ErrorFactory} errors
 * @property {number} requestTimeoutMs default time a request waits for its response
 * @property {(message: string, text: any) => void} [onUndecodable] a message that is not JSON
 */

export class Connection {
  /**
   * @param {string} url
   * @param {ConnectionOptions} opts
   */
  constructor(url, opts) {
    this.url = url;
    this.onEvent = opts.onEvent;
    this.onClose = opts.onClose;
    this.errors = opts.errors;
    this.requestTimeoutMs = opts.requestTimeoutMs;
    this.onUndecodable = opts.onUndecodable;
    /** @type {WebSocket | null} */
    this.ws = null;
    this.nextId = 1;
    /** @type {Map<number, {resolve: (v: any) => void, reject: (e: Error) => void, timer: any, tag: any}>} */
    this.pending = new Map();
    this.closed = false;
  }

  /**
   * open connects; it rejects if the server does not accept within timeoutMs.
   * @param {number} [timeoutMs]
   * @returns {Promise<void>}
   */
  open(timeoutMs) {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(this.url);
      } catch (e) {
        reject(this.errors.openFailed(this.url, String((e && e.message) || e)));
        return;
      }
      this.ws = ws;
      let opened = false;
      const timer = setTimeout(() => {
        if (!opened) {
          ws.close();
          reject(this.errors.noAnswer(this.url));
        }
      }, timeoutMs || 10000);
      ws.onopen = () => {
        opened = true;
        clearTimeout(timer);
        resolve();
      };
      ws.onmessage = (ev) => this._onMessage(ev.data);
      ws.onclose = (ev) => {
        clearTimeout(timer);
        const first = !this.closed;
        this.closed = true;
        this.failPending((tag) => this.errors.closed(ev, tag));
        if (!opened) reject(this.errors.refused(this.url));
        else if (first && this.onClose) this.onClose(this, ev);
      };
      ws.onerror = () => {};
    });
  }

  /**
   * failPending rejects every request waiting for a response.
   * @param {(tag: any) => Error} err
   */
  failPending(err) {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err(p.tag));
    }
    this.pending.clear();
  }

  /** @param {any} text */
  _onMessage(text) {
    let env;
    try {
      env = JSON.parse(text);
    } catch (e) {
      if (this.onUndecodable) this.onUndecodable("undecodable message from the server", text);
      return;
    }
    if (env.type === "response") {
      const p = this.pending.get(env.id);
      if (!p) return;
      this.pending.delete(env.id);
      clearTimeout(p.timer);
      if (env.error) p.reject(this.errors.server(env.error));
      else p.resolve(env.data === undefined ? {} : env.data);
      return;
    }
    if (this.onEvent) this.onEvent(this, env.type, env.data || {}, env.seq);
  }

  /**
   * request sends a request and resolves with the response's data.
   * @param {string} type
   * @param {any} [data]
   * @param {number} [timeoutMs]
   * @param {any} [tag] handed to the error factory if the request fails without an answer
   * @returns {Promise<any>}
   */
  request(type, data, timeoutMs, tag) {
    const ws = this.ws;
    if (this.closed || !ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(this.errors.notConnected(type, tag));
    }
    const id = this.nextId++;
    /** @type {{id: number, type: string, data?: any}} */
    const env = { id, type };
    if (data !== undefined) env.data = data;
    const wait = timeoutMs || this.requestTimeoutMs;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(this.errors.timeout(type, wait, tag));
      }, wait);
      this.pending.set(id, { resolve, reject, timer, tag });
      ws.send(JSON.stringify(env));
    });
  }

  /**
   * send sends a message that expects no response (best effort).
   * @param {string} type
   * @param {any} [data]
   * @param {boolean} [withId] give it a request id (the server answers; nobody waits)
   */
  send(type, data, withId) {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    /** @type {{id?: number, type: string, data?: any}} */
    const env = withId ? { id: this.nextId++, type } : { type };
    if (data !== undefined) env.data = data;
    try {
      ws.send(JSON.stringify(env));
    } catch (e) {
      /* closing */
    }
  }

  /**
   * close closes the connection without calling onClose; requests still
   * pending fail.
   * @param {number} [code]
   * @param {string} [reason]
   */
  close(code, reason) {
    this.onClose = null;
    this.closed = true;
    if (!this.ws) return;
    try {
      this.ws.close(code || 1000, reason || "");
    } catch (e) {
      /* already closed */
    }
  }
}

// EventEmitter: the on/once/off/emit of the client, the tracks and AgoraRTC.
import { fail } from "./errors.js";
import { log } from "./log.js";

export class EventEmitter {
  constructor() {
    this._events = new Map();
  }
  on(event, listener) {
    if (typeof listener !== "function") throw fail("INVALID_PARAMS", "listener must be a function");
    if (!this._events.has(event)) this._events.set(event, []);
    this._events.get(event).push({ listener, once: false });
    return this;
  }
  addListener(event, listener) {
    return this.on(event, listener);
  }
  once(event, listener) {
    this.on(event, listener);
    const l = this._events.get(event);
    l[l.length - 1].once = true;
    return this;
  }
  off(event, listener) {
    const l = this._events.get(event);
    if (!l) return this;
    const i = l.findIndex((e) => e.listener === listener);
    if (i >= 0) l.splice(i, 1);
    return this;
  }
  removeListener(event, listener) {
    return this.off(event, listener);
  }
  removeAllListeners(event) {
    if (event === undefined) this._events.clear();
    else this._events.delete(event);
    return this;
  }
  getListeners(event) {
    return (this._events.get(event) || []).map((e) => e.listener);
  }
  emit(event, ...args) {
    const l = this._events.get(event);
    if (!l || l.length === 0) return;
    for (const e of l.slice()) {
      if (e.once) this.off(event, e.listener);
      try {
        e.listener(...args);
      } catch (err) {
        log.error(`a "${event}" listener threw`, err);
      }
    }
  }
}

// EventEmitter of the RTM objects, and the validation of ids.
import { fail } from "./codes.js";
import { log } from "./log.js";

export class EventEmitter {
  constructor() {
    this._events = new Map();
  }
  on(event, listener) {
    if (typeof listener !== "function") throw fail(3, "listener must be a function", "INVALID_ARGUMENT");
    if (!this._events.has(event)) this._events.set(event, []);
    this._events.get(event).push({ listener, once: false });
    return this;
  }
  once(event, listener) {
    this.on(event, listener);
    const l = this._events.get(event);
    l[l.length - 1].once = true;
    return this;
  }
  off(event, listener) {
    const l = this._events.get(event);
    if (l) {
      const i = l.findIndex((e) => e.listener === listener);
      if (i >= 0) l.splice(i, 1);
    }
    return this;
  }
  removeAllListeners(event) {
    if (event === undefined) this._events.clear();
    else this._events.delete(event);
    return this;
  }
  listeners(event) {
    return (this._events.get(event) || []).map((e) => e.listener);
  }
  rawListeners(event) {
    return this.listeners(event);
  }
  listenerCount(event) {
    return (this._events.get(event) || []).length;
  }
  emit(event, ...args) {
    const l = this._events.get(event);
    if (!l) return;
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

export const ID_RE = /^[a-zA-Z0-9 !#$%&()+\-:;<=.>?@[\]^_{}|~,]{1,64}$/;
export const validId = (id) => typeof id === "string" && ID_RE.test(id) && id !== "null";

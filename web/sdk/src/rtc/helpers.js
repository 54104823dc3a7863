// Small helpers: enumerations, ids, ICE gathering, a serial queue, elements.
import { ICE_GATHER_TIMEOUT_MS } from "./constants.js";
import { fail } from "./errors.js";
import { log } from "./log.js";

export const enumOf = (names) => Object.freeze(Object.fromEntries(names.map((n) => [n, n])));

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let idCounter = 0;
export const newId = (prefix) => `${prefix}-${Date.now().toString(36)}${(++idCounter).toString(36)}`;

// waitGathered resolves when pc has gathered its ICE candidates (the
// signalling is non-trickle: every SDP carries them), or after a timeout.
export function waitGathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== "complete") return;
      pc.removeEventListener("icegatheringstatechange", done);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      pc.removeEventListener("icegatheringstatechange", done);
      log.warn("ICE gathering did not complete in time; sending the candidates gathered so far");
      resolve();
    }, ICE_GATHER_TIMEOUT_MS);
    pc.addEventListener("icegatheringstatechange", done);
  });
}

// A Queue runs async jobs one at a time, in order.
export class Queue {
  constructor() {
    this._tail = Promise.resolve();
  }
  run(job) {
    const p = this._tail.then(job);
    this._tail = p.catch(() => {});
    return p;
  }
}

export function resolveElement(element) {
  if (typeof element === "string") {
    const el = document.getElementById(element);
    if (!el) throw fail("INVALID_PARAMS", `no element with id "${element}"`);
    return el;
  }
  if (typeof HTMLElement !== "undefined" && element instanceof HTMLElement) return element;
  throw fail("INVALID_PARAMS", "play() needs an element or an element id");
}

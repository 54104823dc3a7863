// Backoff is the delay between reconnection attempts: exponential from
// initialMs up to maxMs, with jitter. Each delay is drawn uniformly from
// [d/2, d] where d is the exponential step, so clients that lost the server
// at the same moment (a restart) spread their attempts instead of retrying
// in lock-step.
export class Backoff {
  /**
   * @param {{initialMs?: number, maxMs?: number, random?: () => number}} [opts]
   */
  constructor(opts) {
    const o = opts || {};
    this.initialMs = o.initialMs || 100;
    this.maxMs = o.maxMs || 2000;
    this.random = o.random || Math.random;
    this.attempt = 0;
  }

  /** step is the upper bound of the delay after the given number of failed attempts. */
  step(attempt) {
    return Math.min(this.maxMs, this.initialMs * Math.pow(2, attempt));
  }

  /** next returns the delay before the next attempt, in milliseconds. */
  next() {
    const d = this.step(this.attempt);
    this.attempt++;
    return d / 2 + this.random() * (d / 2);
  }

  reset() {
    this.attempt = 0;
  }
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * retry calls attempt until it returns true, waiting a jittered backoff
 * between attempts, as long as keepGoing() holds. It resolves with whether
 * an attempt returned true.
 * @param {() => Promise<boolean>} attempt
 * @param {() => boolean} keepGoing
 * @param {Backoff} [backoff]
 * @returns {Promise<boolean>}
 */
export async function retry(attempt, keepGoing, backoff) {
  const b = backoff || new Backoff();
  while (keepGoing()) {
    if (await attempt()) return true;
    if (!keepGoing()) break;
    await sleep(b.next());
  }
  return false;
}

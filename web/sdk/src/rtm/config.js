// checkConfig validates an RtmConfig: logFilter works (the SDK's console
// output); log upload and Agora's cloud proxy do not exist in cohost, and
// turning them on throws NOT_SUPPORTED rather than being ignored.
import { fail } from "./codes.js";

/** @param {any} config */
export function checkConfig(config) {
  if (!config) return;
  if (config.enableLogUpload) throw fail(1, "cohost does not upload logs: they are in the browser's console", "NOT_SUPPORTED");
  if (config.enableCloudProxy) throw fail(1, "cohost does not support Agora's cloud proxy", "NOT_SUPPORTED");
}

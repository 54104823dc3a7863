// Capture: Agora's video presets and encoder configurations turned into
// getUserMedia constraints.
import { fail } from "./errors.js";

// Agora's VideoEncoderConfigurationPreset values (width, height, frame rate, max kbps).
export const VIDEO_PRESETS = {
  "120p": [160, 120, 15, 65], "120p_1": [160, 120, 15, 65], "120p_3": [120, 120, 15, 50],
  "180p": [320, 180, 15, 140], "180p_1": [320, 180, 15, 140], "180p_3": [180, 180, 15, 100], "180p_4": [240, 180, 15, 120],
  "240p": [320, 240, 15, 200], "240p_1": [320, 240, 15, 200], "240p_3": [240, 240, 15, 140], "240p_4": [424, 240, 15, 220],
  "360p": [640, 360, 15, 400], "360p_1": [640, 360, 15, 400], "360p_3": [360, 360, 15, 260], "360p_4": [640, 360, 30, 600],
  "360p_6": [360, 360, 30, 400], "360p_7": [480, 360, 15, 320], "360p_8": [480, 360, 30, 490], "360p_9": [640, 360, 15, 800],
  "360p_10": [640, 360, 24, 800], "360p_11": [640, 360, 24, 1000],
  "480p": [640, 480, 15, 500], "480p_1": [640, 480, 15, 500], "480p_2": [640, 480, 30, 1000], "480p_3": [480, 480, 15, 400],
  "480p_4": [640, 480, 30, 750], "480p_6": [480, 480, 30, 600], "480p_8": [848, 480, 15, 610], "480p_9": [848, 480, 30, 930],
  "480p_10": [640, 480, 10, 400],
  "720p": [1280, 720, 15, 1130], "720p_1": [1280, 720, 15, 1130], "720p_2": [1280, 720, 30, 2000], "720p_3": [1280, 720, 30, 1710],
  "720p_5": [960, 720, 15, 910], "720p_6": [960, 720, 30, 1380],
  "1080p": [1920, 1080, 15, 2080], "1080p_1": [1920, 1080, 15, 2080], "1080p_2": [1920, 1080, 30, 3000],
  "1080p_3": [1920, 1080, 30, 3150], "1080p_5": [1920, 1080, 60, 4780],
};

export function videoEncoderConfig(cfg) {
  if (cfg === undefined || cfg === null) cfg = "480p_1";
  if (typeof cfg === "string") {
    const p = VIDEO_PRESETS[cfg];
    if (!p) throw fail("INVALID_PARAMS", `unknown video encoder preset "${cfg}"`);
    return { width: p[0], height: p[1], frameRate: p[2], bitrateMax: p[3] };
  }
  const num = (v) => (typeof v === "object" && v !== null ? v.ideal ?? v.max ?? v.exact ?? v.min : v);
  return { width: num(cfg.width), height: num(cfg.height), frameRate: num(cfg.frameRate), bitrateMax: cfg.bitrateMax, bitrateMin: cfg.bitrateMin };
}

export function videoConstraints(enc, deviceId, facingMode) {
  const c = {};
  if (enc.width) c.width = { ideal: enc.width };
  if (enc.height) c.height = { ideal: enc.height };
  if (enc.frameRate) c.frameRate = { ideal: enc.frameRate };
  if (deviceId) c.deviceId = { exact: deviceId };
  if (facingMode) c.facingMode = facingMode;
  return c;
}

export function audioConstraints(cfg) {
  const c = {};
  if (cfg.microphoneId) c.deviceId = { exact: cfg.microphoneId };
  if (cfg.AEC !== undefined) c.echoCancellation = !!cfg.AEC;
  if (cfg.AGC !== undefined) c.autoGainControl = !!cfg.AGC;
  if (cfg.ANS !== undefined) c.noiseSuppression = !!cfg.ANS;
  return Object.keys(c).length ? c : true;
}

export async function getUserMedia(constraints) {
  if (typeof navigator === "undefined" || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw fail("NOT_SUPPORTED", "this browser cannot capture media (navigator.mediaDevices is missing; is the page served over HTTPS?)");
  }
  try {
    return await navigator.mediaDevices.getUserMedia(constraints);
  } catch (e) {
    const map = { NotAllowedError: "PERMISSION_DENIED", SecurityError: "PERMISSION_DENIED", NotFoundError: "DEVICE_NOT_FOUND",
      NotReadableError: "NOT_READABLE", OverconstrainedError: "CONSTRAINT_NOT_SATISFIED", AbortError: "OPERATION_ABORTED" };
    throw fail(map[e && e.name] || "UNEXPECTED_ERROR", `${(e && e.name) || "Error"}: ${(e && e.message) || e}`);
  }
}

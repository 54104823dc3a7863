// Checks of tracks and of the browser that AgoraRTC exposes:
// checkAudioTrackIsActive, checkVideoTrackIsActive, isAV1Decodable.
import { fail } from "./errors.js";
import { volumeLevel } from "./local-tracks.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * checkAudioTrackIsActive resolves true once the track carries sound
 * (a volume level above zero) within timeoutMs, false otherwise.
 * @param {any} track a local or remote audio track
 * @param {number} [timeoutMs]
 */
export async function checkAudioTrackIsActive(track, timeoutMs) {
  if (!track || track.trackMediaType !== "audio") throw fail("INVALID_PARAMS", "checkAudioTrackIsActive needs an audio track");
  const deadline = Date.now() + (timeoutMs || 5000);
  while (Date.now() < deadline) {
    if (volumeLevel(track) > 0) return true;
    await sleep(100);
  }
  return false;
}

/**
 * checkVideoTrackIsActive resolves true once two frames of the track differ
 * within timeoutMs (the picture is moving), false otherwise.
 * @param {any} track a local or remote video track
 * @param {number} [timeoutMs]
 */
export async function checkVideoTrackIsActive(track, timeoutMs) {
  if (!track || track.trackMediaType !== "video") throw fail("INVALID_PARAMS", "checkVideoTrackIsActive needs a video track");
  const mst = track.getMediaStreamTrack();
  if (!mst || mst.readyState !== "live") return false;
  const video = document.createElement("video");
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([mst]);
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 32;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const deadline = Date.now() + (timeoutMs || 5000);
  try {
    await video.play().catch(() => {});
    let prev = null;
    while (Date.now() < deadline) {
      if (video.videoWidth > 0) {
        ctx.drawImage(video, 0, 0, 32, 32);
        const cur = ctx.getImageData(0, 0, 32, 32).data;
        if (prev && cur.some((v, i) => v !== prev[i])) return true;
        prev = cur;
      }
      await sleep(200);
    }
    return false;
  } finally {
    video.pause();
    video.srcObject = null;
  }
}

/** isAV1Decodable reports whether this browser can decode AV1. */
export async function isAV1Decodable() {
  if (typeof RTCRtpReceiver === "undefined" || !RTCRtpReceiver.getCapabilities) return false;
  const caps = RTCRtpReceiver.getCapabilities("video");
  return !!caps && caps.codecs.some((c) => c.mimeType.toLowerCase() === "video/av1");
}

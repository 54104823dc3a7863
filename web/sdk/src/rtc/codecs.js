// Codecs: what this browser can receive, and the preferred codec first in
// a transceiver's offer.
import { log } from "./log.js";

export function receivableCodecs() {
  const out = ["opus", "vp8", "vp9", "h264"];
  if (typeof RTCRtpReceiver === "undefined" || !RTCRtpReceiver.getCapabilities) return out;
  const names = new Set();
  for (const kind of ["audio", "video"]) {
    const caps = RTCRtpReceiver.getCapabilities(kind);
    if (caps) for (const c of caps.codecs) names.add(c.mimeType.split("/")[1].toLowerCase());
  }
  return out.filter((c) => names.has(c));
}

// preferCodec puts codec first in the transceiver's preferences, so the
// server (which answers with the offer's first codec it forwards) picks it.
export function preferCodec(transceiver, kind, codec) {
  if (!transceiver.setCodecPreferences || typeof RTCRtpSender === "undefined" || !RTCRtpSender.getCapabilities) return;
  const caps = RTCRtpSender.getCapabilities(kind);
  if (!caps) return;
  const mime = `${kind}/${codec}`.toLowerCase();
  const score = (c) => {
    const m = c.mimeType.toLowerCase();
    if (m !== mime) return 2;
    if (codec === "h264") {
      const f = c.sdpFmtpLine || "";
      return /profile-level-id=42e01f/.test(f) && /packetization-mode=1/.test(f) ? 0 : 1;
    }
    return 0;
  };
  const sorted = caps.codecs.slice().sort((a, b) => score(a) - score(b));
  try {
    transceiver.setCodecPreferences(sorted);
  } catch (e) {
    log.debug("setCodecPreferences failed", e);
  }
}

// Players: a track shown in an element, as Agora's players show it.
import { resolveElement } from "./helpers.js";
import { log } from "./log.js";
import { autoplayFailed } from "./autoplay.js";

// A Player shows a track in an element, as Agora's players do: a div
// holding a <video> (or a hidden <audio>).
export class Player {
  constructor(track, element, config) {
    this.track = track;
    this.container = null;
    this.media = null;
    if (track.trackMediaType === "video") {
      const div = document.createElement("div");
      div.id = `agora-video-player-${track.getTrackId()}`;
      div.className = "agora_video_player_container";
      div.style.cssText = "width:100%;height:100%;position:relative;overflow:hidden;background-color:#000";
      const v = document.createElement("video");
      v.className = "agora_video_player";
      v.autoplay = true;
      v.muted = true;
      v.playsInline = true;
      v.setAttribute("playsinline", "");
      const fit = (config && config.fit) || "cover";
      v.style.cssText = `width:100%;height:100%;position:absolute;left:0;top:0;object-fit:${fit}`;
      if (config && config.mirror) v.style.transform = "rotateY(180deg)";
      div.appendChild(v);
      resolveElement(element).appendChild(div);
      this.container = div;
      this.media = v;
    } else {
      const a = document.createElement("audio");
      a.autoplay = true;
      a.style.display = "none";
      document.body.appendChild(a);
      this.container = a;
      this.media = a;
      if (track._sinkId && a.setSinkId) a.setSinkId(track._sinkId).catch((e) => log.warn("setSinkId", e));
    }
    this.update();
  }
  update() {
    const mst = this.track._mst;
    this.media.srcObject = mst ? new MediaStream([mst]) : null;
    if (mst) {
      const p = this.media.play();
      if (p && p.catch) {
        p.catch((e) => {
          log.warn("autoplay was blocked", e && e.name);
          autoplayFailed(this.track.trackMediaType);
        });
      }
    }
  }
  setVolume(v) {
    if (this.media && this.track.trackMediaType === "audio") this.media.volume = Math.max(0, Math.min(1, v / 100));
  }
  destroy() {
    if (this.media) this.media.srcObject = null;
    if (this.container && this.container.parentNode) this.container.parentNode.removeChild(this.container);
    this.container = this.media = null;
  }
}

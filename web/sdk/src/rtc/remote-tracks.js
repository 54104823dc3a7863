// Remote tracks and remote users.
import { LocalVideoTrack, Track } from "./local-tracks.js";

export class RemoteTrack extends Track {
  constructor(kind, mst, uid, receiver, codec) {
    super(kind, mst, `remote-${kind}-${uid}-${mst ? mst.id : ""}`);
    this._uid = uid;
    this._receiver = receiver;
    this._codec = codec;
    this._stats = {};
  }
  getUserId() {
    return this._uid;
  }
  getStats() {
    return this._stats;
  }
  // _swap carries the track on with the media of another receiver (its
  // subscription renewed on a new connection); a player keeps playing.
  _swap(mst, receiver, codec) {
    this._mst = mst;
    this._receiver = receiver;
    this._codec = codec;
    this._stats = {};
    this._refreshPlayer();
  }
}

export class RemoteVideoTrack extends RemoteTrack {
  constructor(mst, uid, receiver, codec) {
    super("video", mst, uid, receiver, codec);
  }
  getCurrentFrameData() {
    return LocalVideoTrack.prototype.getCurrentFrameData.call(this);
  }
}

export class RemoteAudioTrack extends RemoteTrack {
  constructor(mst, uid, receiver, codec) {
    super("audio", mst, uid, receiver, codec);
  }
  play() {
    super.play(null);
  }
  setVolume(volume) {
    this._volume = volume;
    if (this._player) this._player.setVolume(volume);
  }
  getVolumeLevel() {
    return this._stats.audioLevel || 0;
  }
}

// AgoraRTCRemoteUser: a remote host (or, in "rtc" mode, any remote user).
export class RemoteUser {
  constructor(uid, wireUid) {
    this.uid = uid;
    this._wireUid = wireUid;
    this._published = { audio: false, video: false };
    this._muted = { audio: false, video: false };
    this._codec = { audio: "", video: "" };
    this.audioTrack = undefined;
    this.videoTrack = undefined;
  }
  get hasAudio() {
    return this._published.audio && !this._muted.audio;
  }
  get hasVideo() {
    return this._published.video && !this._muted.video;
  }
}

// Statistics of a client: polled from its peer connections once a second,
// read by the get…Stats calls, and the volume indicator.

// pollStats refreshes the client's statistics (what getRTCStats and the
// get*Stats calls return) from its peer connections' reports.
export async function pollStats(client) {
  if (client._state !== "CONNECTED") return;
  const now = Date.now();
  const rate = (id, bytes, ts) => {
    const prev = client._prevBytes.get(id);
    client._prevBytes.set(id, { bytes, ts });
    return prev && ts > prev.ts ? ((bytes - prev.bytes) * 8 * 1000) / (ts - prev.ts) : 0;
  };
  let recvBytes = 0, sendBytes = 0, recvBitrate = 0, sendBitrate = 0, rtt = 0;
  // A report is applied only if its connection is still the client's
  // once it arrives: one taken from a connection a rejoin replaced
  // meanwhile would give the renewed tracks the old receivers' counters.
  const down = client._down;
  if (down) {
    const report = await down.getStats();
    if (client._down !== down) return;
    const rtpBy = new Map();
    report.forEach((s) => {
      if (s.type === "inbound-rtp") rtpBy.set(s.mid, s);
      if (s.type === "transport") recvBytes += s.bytesReceived || 0;
      if (s.type === "candidate-pair" && s.nominated && s.currentRoundTripTime) rtt = s.currentRoundTripTime * 1000;
    });
    for (const [key, sub] of client._subs) {
      if (!sub.track) continue;
      let s = null;
      for (const [mid, info] of client._downMids) if (`${info.uid}:${info.mediaType}` === key) s = rtpBy.get(mid);
      if (!s) continue;
      const br = rate(s.id, s.bytesReceived || 0, s.timestamp);
      recvBitrate += br;
      const lost = s.packetsLost || 0;
      const total = (s.packetsReceived || 0) + lost;
      const common = { receiveBytes: s.bytesReceived || 0, receivePackets: s.packetsReceived || 0, receivePacketsLost: lost,
        packetLossRate: total ? lost / total : 0, receiveBitrate: br, codecType: sub.track._codec, transportDelay: rtt / 2,
        end2EndDelay: rtt / 2 + (s.jitterBufferDelay && s.jitterBufferEmittedCount ? (s.jitterBufferDelay / s.jitterBufferEmittedCount) * 1000 : 0),
        receiveDelay: s.jitterBufferDelay && s.jitterBufferEmittedCount ? (s.jitterBufferDelay / s.jitterBufferEmittedCount) * 1000 : 0,
        totalDuration: (now - client._joinedAt) / 1000 };
      if (sub.track.trackMediaType === "video") {
        sub.track._stats = Object.assign(common, { receiveResolutionWidth: s.frameWidth || 0, receiveResolutionHeight: s.frameHeight || 0,
          receiveFrameRate: s.framesPerSecond || 0, decodeFrameRate: s.framesPerSecond || 0, renderFrameRate: s.framesPerSecond || 0,
          framesDecoded: s.framesDecoded || 0, totalFreezeTime: s.totalFreezesDuration || 0, freezeRate: 0 });
      } else {
        sub.track._stats = Object.assign(common, { receiveLevel: Math.round((s.audioLevel || 0) * 32767), audioLevel: s.audioLevel || 0,
          totalSamplesReceived: s.totalSamplesReceived || 0, freezeRate: 0 });
      }
    }
  }
  const up = client._up;
  if (up) {
    const report = await up.getStats();
    if (client._up !== up) return;
    const out = new Map();
    report.forEach((s) => {
      if (s.type === "outbound-rtp") out.set(s.mid, s);
      if (s.type === "transport") sendBytes += s.bytesSent || 0;
    });
    client._localStats = { audio: null, video: null };
    for (const tr of up.getTransceivers()) {
      const t = tr._cohostTrack;
      const s = t && out.get(tr.mid);
      if (!s) continue;
      const br = rate(s.id, s.bytesSent || 0, s.timestamp);
      sendBitrate += br;
      const common = { sendBytes: s.bytesSent || 0, sendPackets: s.packetsSent || 0, sendBitrate: br, codecType: "", currentPacketLossRate: 0 };
      if (t.trackMediaType === "video") {
        client._localStats.video = Object.assign(common, { sendResolutionWidth: s.frameWidth || 0, sendResolutionHeight: s.frameHeight || 0,
          sendFrameRate: s.framesPerSecond || 0, encodeDelay: s.totalEncodeTime && s.framesEncoded ? (s.totalEncodeTime / s.framesEncoded) * 1000 : 0,
          framesEncoded: s.framesEncoded || 0, targetSendBitrate: (t._encoder && t._encoder.bitrateMax * 1000) || 0, totalDuration: (now - client._joinedAt) / 1000 });
      } else {
        client._localStats.audio = common;
      }
    }
  }
  client._rtcStats = { Duration: Math.round((now - client._joinedAt) / 1000), RecvBytes: recvBytes, SendBytes: sendBytes,
    RecvBitrate: recvBitrate, SendBitrate: sendBitrate, UserCount: client._users.size + 1, RTT: rtt, OutgoingAvailableBandwidth: 0 };
}

export const clientStats = {
  getRTCStats() {
    return Object.assign({}, this._rtcStats);
  },
  getLocalVideoStats() {
    return this._localStats.video || {};
  },
  getLocalAudioStats() {
    return this._localStats.audio || {};
  },
  _remoteStats(kind) {
    const out = {};
    for (const u of this._users.values()) {
      const sub = this._subs.get(`${u._wireUid}:${kind}`);
      if (sub && sub.track) out[u.uid] = sub.track._stats;
    }
    return out;
  },
  getRemoteVideoStats() {
    return this._remoteStats("video");
  },
  getRemoteAudioStats() {
    return this._remoteStats("audio");
  },
  getRemoteNetworkQuality() {
    const out = {};
    for (const u of this._users.values()) out[u.uid] = { uplinkNetworkQuality: 0, downlinkNetworkQuality: 0 };
    return out;
  },

  // enableAudioVolumeIndicator: a "volume-indicator" event every two
  // seconds with [{uid, level}] (0–100) for subscribed audio.
  enableAudioVolumeIndicator() {
    clearInterval(this._volumeTimer);
    this._volumeTimer = setInterval(() => {
      const res = [];
      for (const u of this._users.values()) {
        const sub = this._subs.get(`${u._wireUid}:audio`);
        if (sub && sub.track) res.push({ uid: u.uid, level: Math.round((sub.track._stats.audioLevel || 0) * 100) });
      }
      const mic = this._localTracks.find((t) => t.trackMediaType === "audio");
      if (mic && this.uid !== undefined) res.push({ uid: this.uid, level: Math.round(mic.getVolumeLevel() * 100) });
      this.emit("volume-indicator", res);
    }, 2000);
  },
};

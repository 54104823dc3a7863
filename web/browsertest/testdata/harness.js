// Test helpers injected into each page after the SDK: T records every SDK
// event of the page's clients as one line of text, so the Go side can
// wait for and assert on them.
window.T = (() => {
  const T = { clients: {}, tracks: {}, log: [] };
  const fmt = (x) => (x === undefined ? "" : typeof x === "object" && x !== null ? JSON.stringify(x) : String(x));
  T.record = (...a) => T.log.push(a.map(fmt).join(" ").replace(/\s+$/, ""));
  T.has = (line) => T.log.includes(line);
  T.count = (line) => T.log.filter((l) => l === line).length;
  T.sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // T.err runs an async function and returns "ok" or the error's code.
  T.err = async (f) => {
    try {
      await f();
      return "ok";
    } catch (e) {
      return e && e.code ? e.code : "threw " + String(e);
    }
  };

  // T.setOffline(true) cuts the page's signalling off as a network outage
  // does, without its WebSockets noticing: they neither send nor receive,
  // the closes of those already open wait for the network to come back,
  // and new ones fail to connect. T.setOffline(false) restores it.
  const NativeWebSocket = window.WebSocket;
  const heldCloses = [];
  class HeldWebSocket extends NativeWebSocket {
    constructor(url, protocols) {
      super(T.offline ? "ws://127.0.0.1:9/" : url, protocols);
      this._createdOnline = !T.offline;
    }
    send(data) {
      if (!T.offline) super.send(data);
    }
    get onmessage() {
      return super.onmessage;
    }
    set onmessage(f) {
      super.onmessage = f && ((ev) => {
        if (!T.offline) f.call(this, ev);
      });
    }
    get onclose() {
      return super.onclose;
    }
    set onclose(f) {
      super.onclose = f && ((ev) => {
        if (T.offline && this._createdOnline) heldCloses.push(() => f.call(this, ev));
        else f.call(this, ev);
      });
    }
  }
  window.WebSocket = HeldWebSocket;
  T.offline = false;
  T.setOffline = (offline) => {
    T.offline = offline;
    if (!offline) for (const f of heldCloses.splice(0)) f();
  };

  T.box = (id) => {
    let el = document.getElementById(id);
    if (!el) {
      el = document.createElement("div");
      el.id = id;
      el.style.cssText = "width:160px;height:120px;display:inline-block";
      document.body.appendChild(el);
    }
    return el;
  };

  // T.newClient creates a client whose events are recorded as
  // "<name> <event> <args…>"; with autoSubscribe it subscribes to and
  // plays every published track.
  T.newClient = (name, config, autoSubscribe) => {
    const c = AgoraRTC.createClient(config);
    T.clients[name] = c;
    c.on("connection-state-change", (cur, prev, reason) => T.record(name, "connection-state-change", cur, prev, reason));
    c.on("user-joined", (u) => T.record(name, "user-joined", u.uid));
    c.on("user-left", (u, reason) => T.record(name, "user-left", u.uid, reason));
    c.on("user-info-updated", (uid, msg) => T.record(name, "user-info-updated", uid, msg));
    c.on("user-unpublished", (u, mt) => T.record(name, "user-unpublished", u.uid, mt));
    c.on("client-role-changed", (e) => T.record(name, "client-role-changed", e.role, e.oldRole, e.remote ? "remote" : "local"));
    c.on("channel-media-relay-state", (s, code, ch) => T.record(name, "channel-media-relay-state", s, code, ch));
    c.on("channel-media-relay-event", (e, ch) => T.record(name, "channel-media-relay-event", e, ch));
    c.on("token-privilege-will-expire", () => T.record(name, "token-privilege-will-expire"));
    c.on("token-privilege-did-expire", () => T.record(name, "token-privilege-did-expire"));
    c.on("user-published", async (u, mt) => {
      T.record(name, "user-published", u.uid, mt);
      if (!autoSubscribe) return;
      try {
        const track = await c.subscribe(u, mt);
        if (mt === "video") track.play(T.box(`${name}-${u.uid}`));
        else track.play();
        T.record(name, "subscribed", u.uid, mt);
      } catch (e) {
        T.record(name, "subscribe-failed", u.uid, mt, e.code);
      }
    });
    return c;
  };

  // T.camera / T.mic create low-cost local tracks from the fake devices.
  T.camera = async (name) => {
    const t = await AgoraRTC.createCameraVideoTrack({ encoderConfig: "120p_1" });
    T.tracks[name] = t;
    t.play(T.box("local-" + name));
    return t;
  };
  T.mic = async (name) => {
    const t = await AgoraRTC.createMicrophoneAudioTrack();
    T.tracks[name] = t;
    return t;
  };

  // T.decoded is the framesDecoded of client's subscription to uid's
  // video, from the SDK's getRemoteVideoStats().
  T.decoded = (client, uid) => {
    const s = T.clients[client].getRemoteVideoStats()[uid];
    return (s && s.framesDecoded) || 0;
  };
  // T.mediaStats describes the video senders and receivers of every
  // client of the page from WebRTC's own statistics, to tell why a wait
  // for decoded frames failed: nothing encoded, no packets, no keyframe,
  // frames not assembled or dropped.
  T.mediaStats = async () => {
    const keys = {
      "outbound-rtp": ["mid", "ssrc", "packetsSent", "framesEncoded", "keyFramesEncoded", "pliCount", "nackCount",
        "frameWidth", "framesPerSecond", "qualityLimitationReason", "encoderImplementation"],
      "inbound-rtp": ["mid", "ssrc", "packetsReceived", "packetsLost", "framesReceived", "framesDecoded",
        "keyFramesDecoded", "framesDropped", "pliCount", "firCount", "nackCount", "decoderImplementation"],
    };
    const out = [];
    for (const [name, c] of Object.entries(T.clients)) {
      for (const [dir, pc] of [["up", c._up], ["down", c._down]]) {
        if (!pc) continue;
        const lines = [];
        (await pc.getStats()).forEach((s) => {
          if (keys[s.type] && s.kind === "video") lines.push(s.type + " " + keys[s.type].map((k) => k + "=" + s[k]).join(" "));
        });
        out.push(`${name} ${dir} ${pc.connectionState}: ${lines.join(" | ") || "no video"}`);
        out.push(`${name} ${dir} ice: ${await T.iceStats(pc)}`);
      }
      out.push(`${name} down mids ${JSON.stringify([...c._downMids])}`);
    }
    return out.join("\n");
  };
  // T.iceStats describes a connection's ICE candidate pairs (selected one
  // first, marked *): addresses, state, checks and answers each way,
  // packets and the time since the last packet received, to tell a path
  // that stopped carrying one direction from one that never worked.
  T.iceStats = async (pc) => {
    const st = await pc.getStats();
    const cands = {};
    let selected = "";
    st.forEach((s) => {
      if (s.type === "local-candidate" || s.type === "remote-candidate") cands[s.id] = `${s.address}:${s.port}/${s.candidateType}`;
      if (s.type === "transport") selected = s.selectedCandidatePairId || "";
    });
    const now = performance.timeOrigin + performance.now();
    const pairs = [];
    st.forEach((s) => {
      if (s.type !== "candidate-pair") return;
      const since = s.lastPacketReceivedTimestamp ? Math.round(now - s.lastPacketReceivedTimestamp) + "ms" : "never";
      pairs.push((s.id === selected ? "*" : "") + `${cands[s.localCandidateId]}->${cands[s.remoteCandidateId]} ${s.state}` +
        `${s.nominated ? " nominated" : ""} req=${s.requestsSent}/${s.responsesReceived} in-req=${s.requestsReceived}/${s.responsesSent}` +
        ` consent=${s.consentRequestsSent} pkts=${s.packetsSent}/${s.packetsReceived} last-in=${since}`);
    });
    pairs.sort((x, y) => (y[0] === "*") - (x[0] === "*"));
    return pairs.join(" ; ") || "no pairs";
  };
  // T.newRTM logs in an RTM client whose events are recorded as
  // "<name> <Event> <args…>"; received invitations are kept in
  // T.invitations[name].
  T.rtm = {};
  T.channels = {};
  T.invitations = {};
  T.newRTM = async (name, appId, uid, token) => {
    const c = AgoraRTM.createInstance(appId);
    T.rtm[name] = c;
    c.on("ConnectionStateChanged", (state, reason) => T.record(name, "ConnectionStateChanged", state, reason));
    c.on("MessageFromPeer", (m, peerId) => T.record(name, "MessageFromPeer", peerId, m.text));
    c.on("PeersOnlineStatusChanged", (st) => T.record(name, "PeersOnlineStatusChanged", st));
    c.on("RemoteInvitationReceived", (inv) => {
      T.invitations[name] = inv;
      T.record(name, "RemoteInvitationReceived", inv.callerId, inv.content, inv.channelId);
      inv.on("RemoteInvitationAccepted", () => T.record(name, "RemoteInvitationAccepted", inv.callerId));
      inv.on("RemoteInvitationRefused", () => T.record(name, "RemoteInvitationRefused", inv.callerId));
      inv.on("RemoteInvitationCanceled", () => T.record(name, "RemoteInvitationCanceled", inv.callerId));
    });
    await c.login({ uid, token: token || undefined });
    return c;
  };
  T.joinRTMChannel = async (name, channelId) => {
    const ch = T.rtm[name].createChannel(channelId);
    T.channels[name] = ch;
    ch.on("MemberJoined", (id) => T.record(name, "MemberJoined", channelId, id));
    ch.on("MemberLeft", (id) => T.record(name, "MemberLeft", channelId, id));
    ch.on("MemberCountUpdated", (n) => T.record(name, "MemberCountUpdated", channelId, n));
    ch.on("ChannelMessage", (m, from) => T.record(name, "ChannelMessage", channelId, from, m.text));
    ch.on("AttributesUpdated", (attrs) =>
      T.record(name, "AttributesUpdated", channelId, Object.keys(attrs).sort().map((k) => `${k}=${attrs[k].value}`).join(",")));
    await ch.join();
    return ch;
  };
  T.invite = (name, calleeId, content, channelId) => {
    const inv = T.rtm[name].createLocalInvitation(calleeId);
    inv.content = content;
    inv.channelId = channelId;
    inv.on("LocalInvitationReceivedByPeer", () => T.record(name, "LocalInvitationReceivedByPeer", calleeId));
    inv.on("LocalInvitationAccepted", (r) => T.record(name, "LocalInvitationAccepted", calleeId, r));
    inv.on("LocalInvitationRefused", (r) => T.record(name, "LocalInvitationRefused", calleeId, r));
    inv.on("LocalInvitationCanceled", () => T.record(name, "LocalInvitationCanceled", calleeId));
    inv.on("LocalInvitationFailure", (reason) => T.record(name, "LocalInvitationFailure", calleeId, reason));
    inv.send();
    return inv;
  };
  return T;
})();

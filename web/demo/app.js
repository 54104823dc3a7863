// cohost live demo: a live-streaming room written against the Agora Web
// APIs (AgoraRTC 4.x and AgoraRTM 1.x), served by cohost.
//
// Seed 000 (invite a viewer to co-host): the host sends an RTM peer message;
// the viewer accepts with setClientRole("host"), publishes, and announces
// itself with addOrUpdateChannelAttributes; everyone sees AttributesUpdated.
// Going back follows the same steps. Seeds 001/002 (PK): each host relays
// itself into the other's channel with startChannelMediaRelay.
(() => {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const S = {
    dev: false, // the server mints development tokens
    appId: "",
    channel: "",
    uid: 0,
    rtc: null,
    rtm: null,
    rtmChannel: null,
    mic: null,
    cam: null,
    members: new Set(), // RTM members of the channel
    invites: new Map(), // uid → status text (host side)
    attrs: {},
    pk: null, // {channel, peerUid, config}
    admin: false, // the RTC token can change others' roles
  };
  window.demo = S; // for the curious (and the browser tests)

  // ---------------------------------------------------------------- helpers

  const now = () => new Date().toLocaleTimeString([], { hour12: false });

  function logEvent(text, cls, list) {
    const li = document.createElement("li");
    if (cls) li.className = cls;
    const t = document.createElement("time");
    t.textContent = now();
    li.append(t, text);
    const ol = $(list || "log");
    ol.prepend(li);
    while (ol.children.length > 60) ol.lastChild.remove();
  }

  function toast(text, cls) {
    const d = document.createElement("div");
    d.className = "toast " + (cls || "");
    d.textContent = text;
    $("toasts").append(d);
    setTimeout(() => d.remove(), 4500);
  }

  function errText(e) {
    if (!e) return "unknown error";
    if (e.code !== undefined) return `${e.code}: ${e.message}`;
    return e.message || String(e);
  }

  async function devToken(params) {
    const r = await fetch("/v1/dev/token?" + new URLSearchParams(params));
    if (!r.ok) throw new Error(`development token: ${r.status} ${await r.text()}`);
    return r.json();
  }

  // ask shows the accept/decline dialog and resolves with the choice.
  function ask(title, text, yes, no) {
    return new Promise((resolve) => {
      $("dialog-title").textContent = title;
      $("dialog-text").textContent = text;
      $("dialog-yes").textContent = yes || "Accept";
      $("dialog-no").textContent = no || "Decline";
      $("dialog").hidden = false;
      const done = (v) => {
        $("dialog").hidden = true;
        $("dialog-yes").onclick = $("dialog-no").onclick = null;
        resolve(v);
      };
      $("dialog-yes").onclick = () => done(true);
      $("dialog-no").onclick = () => done(false);
    });
  }

  const send = (peer, msg) => S.rtm.sendMessageToPeer({ text: JSON.stringify(msg) }, String(peer));

  // ---------------------------------------------------------------- join form

  $("f-uid").value = String(1000 + Math.floor(Math.random() * 9000));
  const params = new URLSearchParams(location.search);
  if (params.get("channel")) $("f-channel").value = params.get("channel");
  if (params.get("uid")) $("f-uid").value = params.get("uid");
  if (params.get("role") === "audience") $("r-aud").checked = true;
  S.resolution = params.get("res") || "480p_1"; // an Agora encoder preset

  // Development mode: the server answers /v1/dev/token (only on loopback).
  devToken({ channel: "probe", uid: "0" }).then(
    (r) => {
      S.dev = true;
      $("dev-box").hidden = false;
      $("dev-fill").hidden = false;
      $("f-appid").value = r.appId;
    },
    () => {
      $("creds").open = true;
    },
  );

  $("f-dev").addEventListener("change", () => {
    $("creds").open = !$("f-dev").checked;
  });

  $("dev-fill").addEventListener("click", async () => {
    const channel = $("f-channel").value.trim();
    const uid = $("f-uid").value.trim();
    const host = $("r-host").checked;
    const rtc = await devToken({ channel, uid, admin: String(host) });
    const rtm = await devToken({ service: "rtm", userId: uid });
    $("f-appid").value = rtc.appId;
    $("f-rtc-token").value = rtc.token;
    $("f-rtm-token").value = rtm.token;
    $("f-dev").checked = false;
    toast("Development tokens filled in", "ok");
  });

  $("join-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("join-error").textContent = "";
    $("join-btn").disabled = true;
    try {
      await join();
    } catch (e) {
      console.error(e);
      $("join-error").textContent = errText(e);
      await cleanup();
    } finally {
      $("join-btn").disabled = false;
    }
  });

  // ---------------------------------------------------------------- join and leave

  async function join() {
    S.channel = $("f-channel").value.trim();
    S.uid = Number($("f-uid").value.trim());
    const role = $("r-host").checked ? "host" : "audience";
    let rtcToken = $("f-rtc-token").value.trim() || null;
    let rtmToken = $("f-rtm-token").value.trim() || undefined;
    S.appId = $("f-appid").value.trim();
    if (S.dev && $("f-dev").checked) {
      const rtc = await devToken({ channel: S.channel, uid: String(S.uid), admin: String(role === "host") });
      rtcToken = rtc.token;
      S.appId = rtc.appId;
      rtmToken = (await devToken({ service: "rtm", userId: String(S.uid) })).token;
      S.admin = role === "host";
    }
    if (!S.appId) throw new Error("Enter the App ID of your cohost app");

    const client = AgoraRTC.createClient({ mode: "live", codec: "vp8", role });
    S.rtc = client;
    wireRTC(client);
    await client.join(S.appId, S.channel, rtcToken, S.uid);
    S.startedAsHost = role === "host";

    showLive();
    if (role === "host") await goOnStage(false);

    // Messaging: invitations, the audience list and announcements.
    try {
      S.rtm = AgoraRTM.createInstance(S.appId);
      wireRTM(S.rtm);
      await S.rtm.login({ uid: String(S.uid), token: rtmToken });
      S.rtmChannel = S.rtm.createChannel(S.channel);
      wireChannel(S.rtmChannel);
      await S.rtmChannel.join();
      for (const m of await S.rtmChannel.getMembers()) S.members.add(m);
      S.attrs = await S.rtm.getChannelAttributes(S.channel);
      renderAttrs();
      renderAudience();
    } catch (e) {
      logEvent(`RTM unavailable: ${errText(e)}`, "ev-bad");
      toast("Messaging is unavailable: invitations are off", "bad");
    }
  }

  async function cleanup() {
    const { rtc, rtm } = S;
    S.rtc = S.rtm = S.rtmChannel = null;
    closeTracks();
    if (rtc) await rtc.leave().catch(() => {});
    if (rtm) await rtm.logout().catch(() => {});
    S.members.clear();
    S.invites.clear();
    S.attrs = {};
    S.pk = null;
  }

  $("leave").addEventListener("click", async () => {
    if (S.pk) await stopPK(true).catch(() => {});
    if (S.rtc && S.rtc.localTracks.length && !S.startedAsHost) await leaveStage().catch(() => {});
    await cleanup();
    $("tiles").textContent = "";
    $("log").textContent = "";
    $("relay-events").textContent = "";
    $("live-view").hidden = true;
    $("session").hidden = true;
    $("join-view").hidden = false;
    updateStage();
  });

  function showLive() {
    $("join-view").hidden = true;
    $("live-view").hidden = false;
    $("session").hidden = false;
    $("chan-name").textContent = "# " + S.channel;
    $("chan-name").title = `Channel ${S.channel} · you are ${S.uid}`;
    renderRole();
    renderAudience();
    renderAttrs();
    updateStage();
  }

  function renderRole() {
    const role = S.rtc ? S.rtc.role : "audience";
    const badge = $("role-badge");
    badge.className = "badge " + (role === "host" ? (S.startedAsHost ? "host" : "cohost") : "audience");
    badge.textContent = role === "host" ? (S.startedAsHost ? "Host" : "Co-host") : "Audience";
    $("card-pk").hidden = !(role === "host" && S.startedAsHost);
    $("pk-tokens").hidden = S.dev && S.admin;
    $("controls").hidden = role !== "host";
    $("btn-stage").hidden = role !== "host" || S.startedAsHost;
  }

  // ---------------------------------------------------------------- stage

  function tile(uid) {
    const id = "tile-" + uid;
    let t = $(id);
    if (!t) {
      t = document.createElement("div");
      t.id = id;
      t.className = "tile";
      t.dataset.uid = uid;
      t.innerHTML = `<div class="avatar"></div><div class="video"></div><div class="label"><span class="name"></span></div><div class="actions"></div>`;
      t.querySelector(".avatar").textContent = String(uid).slice(-2);
      $("tiles").append(t);
      updateStage();
    }
    return t;
  }

  function labelTile(uid) {
    const t = $("tile-" + uid);
    if (!t) return;
    const local = uid === S.uid;
    // A host of another channel relayed into this one (PK) is on stage
    // here without being a member of this channel's RTM channel.
    const isPK = (S.pk && S.pk.peerUid === uid) || (!local && S.members.size > 0 && !S.members.has(String(uid)));
    const isCo = !!S.attrs["cohost-" + uid];
    const label = t.querySelector(".label");
    label.innerHTML = "";
    const name = document.createElement("span");
    name.textContent = local ? `You · ${uid}` : String(uid);
    label.append(name);
    const tag = document.createElement("span");
    tag.className = "tag " + (isPK ? "pk" : isCo ? "" : "host");
    tag.textContent = isPK ? "PK" : isCo ? "co-host" : "host";
    label.append(tag);
    t.classList.toggle("local", local);
    const actions = t.querySelector(".actions");
    actions.textContent = "";
    if (!local && isCo && S.startedAsHost && S.rtc && S.rtc.role === "host") {
      const b = document.createElement("button");
      b.className = "btn danger small";
      b.textContent = "Send back";
      b.dataset.action = "send-back";
      b.onclick = () => sendBack(uid);
      actions.append(b);
    }
  }

  function removeTile(uid) {
    const t = $("tile-" + uid);
    if (t) t.remove();
    updateStage();
  }

  function updateStage() {
    const n = $("tiles").children.length;
    $("tiles").dataset.count = String(n);
    $("empty-stage").hidden = n > 0;
  }

  function closeTracks() {
    for (const k of ["mic", "cam"]) {
      if (S[k]) S[k].close();
      S[k] = null;
    }
    $("btn-mic").setAttribute("aria-pressed", "true");
    $("btn-cam").setAttribute("aria-pressed", "true");
  }

  // goOnStage publishes camera and microphone (the client is host).
  async function goOnStage(announce) {
    let tracks;
    try {
      tracks = await AgoraRTC.createMicrophoneAndCameraTracks({}, { encoderConfig: S.resolution });
    } catch (e) {
      toast(`Camera or microphone unavailable (${e.code}); publishing what works`, "bad");
      tracks = [];
      try {
        tracks.push(await AgoraRTC.createCameraVideoTrack({ encoderConfig: S.resolution }));
      } catch (err) {
        /* no camera */
      }
    }
    for (const t of tracks) S[t.trackMediaType === "video" ? "cam" : "mic"] = t;
    const t = tile(S.uid);
    if (S.cam) {
      S.cam.play(t.querySelector(".video"));
      t.classList.add("has-video");
    }
    labelTile(S.uid);
    if (tracks.length) await S.rtc.publish(tracks);
    renderRole();
    if (announce && S.rtm) {
      await S.rtm.addOrUpdateChannelAttributes(S.channel, { ["cohost-" + S.uid]: `${S.uid} is co-hosting` }, { enableNotificationToChannelMembers: true });
    }
  }

  // leaveStage is the way back: unpublish (Agora Web refuses to become
  // audience while publishing), become audience, take the announcement down.
  async function leaveStage() {
    if (S.rtc.localTracks.length) await S.rtc.unpublish();
    closeTracks();
    removeTile(S.uid);
    await S.rtc.setClientRole("audience");
    if (S.rtm) {
      await S.rtm.deleteChannelAttributesByKeys(S.channel, ["cohost-" + S.uid], { enableNotificationToChannelMembers: true }).catch(() => {});
    }
    renderRole();
  }

  $("btn-stage").addEventListener("click", () => leaveStage().catch((e) => toast(errText(e), "bad")));

  $("btn-mic").addEventListener("click", async () => {
    if (!S.mic) return;
    await S.mic.setMuted(!S.mic.muted);
    $("btn-mic").setAttribute("aria-pressed", String(!S.mic.muted));
  });
  $("btn-cam").addEventListener("click", async () => {
    if (!S.cam) return;
    await S.cam.setEnabled(!S.cam.enabled);
    $("btn-cam").setAttribute("aria-pressed", String(S.cam.enabled));
    $("tile-" + S.uid).classList.toggle("has-video", S.cam.enabled);
  });

  // ---------------------------------------------------------------- RTC events

  function wireRTC(client) {
    client.on("connection-state-change", (cur, prev, reason) => {
      const c = $("conn");
      c.dataset.state = cur;
      c.querySelector("span").textContent = cur === "CONNECTED" ? "Live" : cur.charAt(0) + cur.slice(1).toLowerCase();
      logEvent(`connection ${prev} → ${cur}${reason ? " (" + reason + ")" : ""}`);
      if (cur === "DISCONNECTED" && reason && reason !== "LEAVE") toast(`Disconnected: ${reason}`, "bad");
    });
    client.on("user-joined", (user) => {
      logEvent(`user-joined ${user.uid}`);
      tile(user.uid);
      labelTile(user.uid);
      renderAudience();
    });
    client.on("user-left", (user, reason) => {
      logEvent(`user-left ${user.uid} ${reason}`);
      removeTile(user.uid);
      renderAudience();
    });
    client.on("user-published", async (user, mediaType) => {
      logEvent(`user-published ${user.uid} ${mediaType}`);
      try {
        const track = await client.subscribe(user, mediaType);
        if (mediaType === "video") {
          const t = tile(user.uid);
          track.play(t.querySelector(".video"));
          t.classList.add("has-video");
          labelTile(user.uid);
        } else {
          track.play();
        }
      } catch (e) {
        logEvent(`subscribe ${user.uid} ${mediaType} failed: ${errText(e)}`, "ev-bad");
      }
    });
    client.on("user-unpublished", (user, mediaType) => {
      logEvent(`user-unpublished ${user.uid} ${mediaType}`);
      if (mediaType === "video") {
        const t = $("tile-" + user.uid);
        if (t) t.classList.remove("has-video");
      }
    });
    client.on("user-info-updated", (uid, msg) => logEvent(`user-info-updated ${uid} ${msg}`));
    client.on("client-role-changed", (e) => {
      logEvent(`client-role-changed ${e.oldRole} → ${e.role}${e.remote ? " (by the host)" : ""}`, "ev-state");
      if (e.role === "audience") {
        closeTracks();
        removeTile(S.uid);
      }
      renderRole();
    });
    client.on("token-privilege-will-expire", async () => {
      logEvent("token-privilege-will-expire", "ev-bad");
      if (!S.dev) return toast("Your token expires in 30 s: renew it", "bad");
      const t = await devToken({ channel: S.channel, uid: String(S.uid), admin: String(S.admin) });
      await client.renewToken(t.token);
      logEvent("token renewed");
    });
    client.on("token-privilege-did-expire", () => toast("Your token expired", "bad"));
    client.on("channel-media-relay-state", (state, code, channel) => {
      const el = $("relay-state");
      el.dataset.state = state;
      el.textContent = state.replace("RELAY_STATE_", "").toLowerCase();
      logEvent(`${state} ${code}${channel ? " · " + channel : ""}`, state === "RELAY_STATE_FAILURE" ? "ev-bad" : "ev-state", "relay-events");
      if (state === "RELAY_STATE_FAILURE" || state === "RELAY_STATE_IDLE") setPKButtons(false);
      if (state === "RELAY_STATE_RUNNING") setPKButtons(true);
    });
    client.on("channel-media-relay-event", (event, channel) => {
      logEvent(`${event}${channel ? " · " + channel : ""}`, "", "relay-events");
    });
  }

  // ---------------------------------------------------------------- RTM

  function wireRTM(rtm) {
    rtm.on("ConnectionStateChanged", (state, reason) => logEvent(`RTM ${state} (${reason})`));
    rtm.on("MessageFromPeer", (message, peerId) => {
      let msg;
      try {
        msg = JSON.parse(message.text);
      } catch (e) {
        msg = { type: message.text };
      }
      logEvent(`message from ${peerId}: ${msg.type}`);
      onPeerMessage(msg, Number(peerId)).catch((e) => toast(errText(e), "bad"));
    });
  }

  function wireChannel(ch) {
    ch.on("MemberJoined", (id) => {
      S.members.add(id);
      logEvent(`member-joined ${id}`);
      renderAudience();
    });
    ch.on("MemberLeft", (id) => {
      S.members.delete(id);
      S.invites.delete(Number(id));
      logEvent(`member-left ${id}`);
      renderAudience();
    });
    ch.on("AttributesUpdated", (attrs) => {
      S.attrs = attrs;
      logEvent(`attributes-updated {${Object.keys(attrs).join(", ")}}`, "ev-state");
      renderAttrs();
      for (const t of $("tiles").children) labelTile(Number(t.dataset.uid));
    });
  }

  async function onPeerMessage(msg, from) {
    switch (msg.type) {
      case "invite": {
        if (S.rtc.role === "host") return;
        const yes = await ask("You're invited on stage", `Host ${from} invites you to co-host ${S.channel}.`, "Go on stage", "Not now");
        await send(from, { type: yes ? "accept" : "decline" });
        if (yes) await becomeCoHost();
        return;
      }
      case "accept":
      case "decline":
        S.invites.set(from, msg.type === "accept" ? "accepted" : "declined");
        toast(`${from} ${msg.type === "accept" ? "accepted — coming on stage" : "declined"}`, msg.type === "accept" ? "ok" : "");
        renderAudience();
        return;
      case "end-cohost":
        if (S.rtc.role !== "host" || S.startedAsHost) return;
        toast("The host sent you back to the audience");
        await leaveStage();
        return;
      case "pk-invite": {
        if (!(S.rtc.role === "host" && S.startedAsHost) || S.pk) return;
        const yes = await ask("PK battle!", `Host ${from} of channel ${msg.channel} challenges you to a PK.`, "Accept", "Decline");
        if (yes) await startPK(msg.channel, from, false);
        else await send(from, { type: "pk-decline" });
        return;
      }
      case "pk-decline":
        toast(`${from} declined the PK`);
        return;
      case "pk-stop":
        if (S.pk && S.pk.peerUid === from) await stopPK(false);
        return;
    }
  }

  // becomeCoHost: seed 000's steps 3–5.
  async function becomeCoHost() {
    try {
      await S.rtc.setClientRole("host");
    } catch (e) {
      toast(`Could not become host: ${errText(e)}`, "bad");
      return;
    }
    await goOnStage(true);
  }

  async function invite(uid) {
    S.invites.set(uid, "invited…");
    renderAudience();
    const r = await send(uid, { type: "invite", channel: S.channel });
    if (!r.hasPeerReceived) {
      S.invites.set(uid, "unreachable");
      renderAudience();
    }
  }

  async function sendBack(uid) {
    const r = await send(uid, { type: "end-cohost" });
    if (!r.hasPeerReceived && S.admin) {
      // The co-host does not answer: the server enforces it.
      await S.rtc.setRemoteClientRole(uid, "audience");
      await S.rtm.deleteChannelAttributesByKeys(S.channel, ["cohost-" + uid], { enableNotificationToChannelMembers: true });
    }
    S.invites.delete(uid);
    renderAudience();
  }

  function renderAudience() {
    const ul = $("audience");
    ul.textContent = "";
    const hosts = new Set((S.rtc ? S.rtc.remoteUsers : []).map((u) => String(u.uid)));
    const viewers = Array.from(S.members).filter((m) => m !== String(S.uid) && !hosts.has(m)).sort();
    $("aud-count").textContent = String(viewers.length);
    $("aud-empty").hidden = viewers.length > 0;
    const canInvite = S.rtc && S.rtc.role === "host" && S.startedAsHost;
    for (const m of viewers) {
      const uid = Number(m);
      const li = document.createElement("li");
      li.dataset.uid = m;
      const p = document.createElement("span");
      p.className = "person";
      p.innerHTML = `<span class="dot"></span><span></span>`;
      p.firstChild.textContent = m.slice(-2);
      p.lastChild.textContent = m;
      li.append(p);
      const st = S.invites.get(uid);
      if (st) {
        const s = document.createElement("span");
        s.className = "status " + (st === "accepted" ? "ok" : st === "declined" || st === "unreachable" ? "bad" : "");
        s.textContent = st;
        li.append(s);
      }
      if (canInvite && st !== "invited…") {
        const b = document.createElement("button");
        b.className = "btn ghost small";
        b.textContent = "Invite";
        b.dataset.action = "invite";
        b.onclick = () => invite(uid).catch((e) => toast(errText(e), "bad"));
        li.append(b);
      }
      ul.append(li);
    }
  }

  function renderAttrs() {
    const ul = $("attrs");
    ul.textContent = "";
    const keys = Object.keys(S.attrs).sort();
    $("attrs-empty").hidden = keys.length > 0;
    for (const k of keys) {
      const a = S.attrs[k];
      const li = document.createElement("li");
      li.innerHTML = `<span class="k"></span><span class="v"></span><span class="m"></span>`;
      li.children[0].textContent = k;
      li.children[1].textContent = a.value;
      li.children[2].textContent = `by ${a.lastUpdateUserId} · ${new Date(a.lastUpdateTs).toLocaleTimeString([], { hour12: false })}`;
      ul.append(li);
    }
  }

  // ---------------------------------------------------------------- PK (channel media relay)

  function setPKButtons(running) {
    $("pk-start").disabled = running;
    $("pk-stop").disabled = !running;
  }

  async function startPK(channel, peerUid, invitePeer) {
    let srcToken = $("pk-src-token").value.trim() || null;
    let destToken = $("pk-dest-token").value.trim() || null;
    if (S.dev && S.admin) {
      srcToken = (await devToken({ channel: S.channel, uid: "0" })).token;
      destToken = (await devToken({ channel, uid: String(S.uid) })).token;
    }
    // Seed 002's form.
    const config = new AgoraRTC.ChannelMediaRelayConfiguration();
    config.setSrcChannelInfo({ channelName: S.channel, uid: 0, token: srcToken });
    config.addDestChannelInfo({ channelName: channel, uid: S.uid, token: destToken });
    S.pk = { channel, peerUid: peerUid || 0, config };
    $("pk-channel").value = channel;
    if (peerUid) $("pk-uid").value = String(peerUid);
    try {
      await S.rtc.startChannelMediaRelay(config);
    } catch (e) {
      S.pk = null;
      toast(`PK failed: ${errText(e)}`, "bad");
      logEvent(`startChannelMediaRelay: ${errText(e)}`, "ev-bad", "relay-events");
      return;
    }
    toast(`PK with #${channel} is live`, "ok");
    for (const t of $("tiles").children) labelTile(Number(t.dataset.uid));
    if (invitePeer && peerUid && S.rtm) {
      const r = await send(peerUid, { type: "pk-invite", channel: S.channel });
      if (!r.hasPeerReceived) toast(`Host ${peerUid} is not reachable: only your side is relayed`);
    }
  }

  async function stopPK(tellPeer) {
    const pk = S.pk;
    S.pk = null;
    try {
      await S.rtc.stopChannelMediaRelay();
    } catch (e) {
      logEvent(`stopChannelMediaRelay: ${errText(e)}`, "ev-bad", "relay-events");
    }
    setPKButtons(false);
    if (tellPeer && pk && pk.peerUid && S.rtm) await send(pk.peerUid, { type: "pk-stop" }).catch(() => {});
    for (const t of $("tiles").children) labelTile(Number(t.dataset.uid));
  }

  $("pk-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const channel = $("pk-channel").value.trim();
    const peer = Number($("pk-uid").value.trim() || 0);
    if (channel === S.channel) return toast("Pick another channel", "bad");
    startPK(channel, peer, true).catch((e) => toast(errText(e), "bad"));
  });
  $("pk-stop").addEventListener("click", () => stopPK(true).catch((e) => toast(errText(e), "bad")));
})();

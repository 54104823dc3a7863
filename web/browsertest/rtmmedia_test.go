package browsertest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cohost-rtc/cohost/internal/servertest"
	"github.com/cohost-rtc/cohost/protocol"
)

// RTM image and file messages: a file uploaded over HTTP to the server's
// media store (NATS JetStream's object store) and sent as a FILE message
// to a peer, who downloads the same bytes; an IMAGE message in a channel;
// a message made again from a media id; Agora's limits and error codes.
func TestRTMMediaMessages(t *testing.T) {
	natsURL := servertest.StartNATS(t)
	srv := servertest.Start(t, servertest.WithNATS(natsURL))
	app := jsString(srv.TestAppID)
	alice := newPage(t, srv, "alice")
	bob := newPage(t, srv, "bob")
	alice.run(`await T.newRTM("alice", ` + app + `, "alice")`)
	bob.run(`await T.newRTM("bob", ` + app + `, "bob");
		window.got = [];
		T.rtm.bob.on("MessageFromPeer", (m, from) => got.push(m));`)

	// A 200 KB file with a thumbnail, to a peer.
	got := alice.str(`const data = new Uint8Array(200 * 1024);
		for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
		window.sum = data.reduce((a, b) => (a + b) % 65521, 0);
		let progress = 0;
		const msg = await T.rtm.alice.createMediaMessageByUploading(new Blob([data]), {
			messageType: "FILE", fileName: "notes.bin", description: "the notes", thumbnail: new Blob([new Uint8Array([1, 2, 3])]),
		}, { onOperationProgress: (p) => { progress = p.currentSize; } });
		window.mediaId = msg.mediaId;
		const r = await T.rtm.alice.sendMessageToPeer(msg, "bob");
		return [msg.messageType, msg.size, msg.fileName, /^[0-9a-f]{32}$/.test(msg.mediaId), r.hasPeerReceived, progress > 0].join(" ");`)
	if got != "FILE 204800 notes.bin true true true" {
		t.Fatalf("upload and send: %s", got)
	}
	bob.waitFor("bob to receive the file message", `got.length === 1`)
	id := alice.str(`return mediaId`)

	// The file is in JetStream's object store, kept seven days.
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	store, err := js.ObjectStore(t.Context(), "RTM_MEDIA")
	if err != nil {
		t.Fatalf("the media bucket: %v", err)
	}
	st, err := store.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.TTL() != 7*24*time.Hour {
		t.Errorf("media kept %v, want 7 days", st.TTL())
	}
	if info, err := store.GetInfo(t.Context(), srv.TestAppID+"/"+id); err != nil || info.Size != 200*1024 {
		t.Errorf("the stored file: %+v, %v", info, err)
	}
	got = bob.str(`const m = got[0];
		const blob = await T.rtm.bob.downloadMedia(m.mediaId);
		const data = new Uint8Array(await blob.arrayBuffer());
		const sum = data.reduce((a, b) => (a + b) % 65521, 0);
		const thumb = Array.from(new Uint8Array(await m.thumbnail.arrayBuffer())).join(",");
		return [m.messageType, m.mediaId, m.size, m.fileName, m.description, thumb, data.length, sum].join(" ");`)
	if want := "FILE " + id + " 204800 notes.bin the notes 1,2,3 204800 " + alice.str(`return String(sum)`); got != want {
		t.Errorf("bob's message and download: %s, want %s", got, want)
	}

	// An IMAGE message in a channel, made again from the media id.
	alice.run(`await T.joinRTMChannel("alice", "pics")`)
	bob.run(`const ch = await T.joinRTMChannel("bob", "pics"); window.chGot = []; ch.on("ChannelMessage", (m) => chGot.push(m));`)
	got = alice.str(`const msg = await T.rtm.alice.createMediaMessageByMediaId(mediaId, {messageType: "IMAGE", width: 640, height: 480, fileName: "p.png"});
		await T.channels.alice.sendMessage(msg);
		return msg.messageType + " " + msg.size;`)
	if got != "IMAGE 204800" {
		t.Errorf("createMediaMessageByMediaId: %s", got)
	}
	bob.waitFor("bob to receive the image", `chGot.length === 1`)
	if got := bob.str(`const m = chGot[0]; return [m.messageType, m.mediaId === ` + jsString(id) + `, m.width, m.height, m.fileName].join(" ")`); got != "IMAGE true 640 480 p.png" {
		t.Errorf("channel image message: %s", got)
	}

	// Agora's limits and codes.
	codes := alice.str(`const c = T.rtm.alice;
		const code = async (f) => { try { await f(); return "ok"; } catch (e) { return e.code + ":" + e.name; } };
		const out = [];
		out.push(await code(() => c.downloadMedia("0123456789abcdef0123456789abcdef")));
		out.push(await code(() => c.createMediaMessageByUploading(new Blob([new Uint8Array(30 * 1024 * 1024 + 1)]))));
		out.push(await code(() => c.createMediaMessageByUploading(new Blob([new Uint8Array(10)]), {thumbnail: new Blob([new Uint8Array(33 * 1024)])})));
		const ac = new AbortController(); ac.abort();
		out.push(await code(() => c.createMediaMessageByUploading(new Blob([new Uint8Array(10)]), {}, {cancelSignal: ac.signal})));
		const ten = await Promise.all(Array.from({length: 10}, () => code(() => c.createMediaMessageByUploading(new Blob([new Uint8Array(64 * 1024)])))));
		out.push(ten.filter((r) => r === "ok").length + " ok, " + ten.filter((r) => r.startsWith("5:")).length + " over the limit");
		const r = await fetch("/v1/rtm/media/" + mediaId);
		out.push(r.status + " " + (await r.json()).code);
		return out.join("; ");`)
	want := "4:RtmError DOWNLOAD_MEDIA_ERR_NOT_EXIST; 4:RtmError UPLOAD_MEDIA_ERR_SIZE_OVERFLOW; 4:RtmError UPLOAD_MEDIA_ERR_SIZE_OVERFLOW; " +
		"6:RtmError UPLOAD_MEDIA_ERR_INTERRUPTED; 9 ok, 1 over the limit; 401 102"
	if codes != want {
		t.Errorf("limits:\n\t%s\nwant\n\t%s", codes, want)
	}
	// The server refuses a file over 30 MB itself.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/v1/rtm/media", bytes.NewReader(make([]byte, 30<<20+1)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+alice.str(`return T.rtm.alice._sessionId`))
	req.Header.Set("X-Cohost-App", srv.TestAppID)
	req.Header.Set("X-Cohost-User", "alice")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var e protocol.RTMMediaError
	_ = json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || e.Code != int(protocol.RTMUploadMediaSizeOverflow) {
		t.Errorf("a 30 MB + 1 upload: %s %+v, want 413 and code 4", resp.Status, e)
	}

	// Logged out: no more transfers.
	if got := alice.str(`await T.rtm.alice.logout(); try { await T.rtm.alice.downloadMedia(mediaId); return "ok" } catch (e) { return String(e.code) }`); got != "102" {
		t.Errorf("download after logout: %s, want 102", got)
	}
}

package token_test

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cohost-rtc/cohost/token"
)

const (
	appID          = "970ca35de60c44645bbae8a215061b33"
	appCertificate = "5cfd2fd1755d40ecb72977518be15d3b"
)

// A publisher token for uid 2882341273, valid for an hour. The issue time
// and salt differ on every call, so the example prints what the token
// grants rather than the token itself.
func ExampleBuildRTCWithUID() {
	s, err := token.BuildRTCWithUID(appID, appCertificate, "pk-room_1", 2882341273, token.RolePublisher, 3600, 3600)
	if err != nil {
		panic(err)
	}
	t, err := token.Check(s, appID, appCertificate, time.Now())
	if err != nil {
		panic(err)
	}
	rtc, _ := t.Service(token.ServiceRTC)
	fmt.Printf("channel %q uid %q, token valid %d s\n", rtc.Channel, rtc.UID, t.Expire)
	for _, p := range slices.Sorted(maps.Keys(rtc.Privileges)) {
		fmt.Printf("%s for %d s\n", p, rtc.Privileges[p])
	}
	// Output:
	// channel "pk-room_1" uid "2882341273", token valid 3600 s
	// joinChannel for 3600 s
	// publishAudioStream for 3600 s
	// publishVideoStream for 3600 s
	// publishDataStream for 3600 s
}

// A server checks a subscriber's token when it joins, then whether it may
// publish audio.
func ExampleCheck() {
	const s = "007eJxTYDDYMvXXJ/esWoYlKubzl6xm3mJ1YUMxu/Nf/V3qVZvnLPyiwGBpbpCcaGyakmpmkGxiYmZimpSUmGqRaGRoamBmmGRsfCicKVuAj4EhmfU6MyMDBIL4nAwF2bpF+fm58YYsDIYGBoYAUN4gBQ=="
	now := time.Unix(1795315650+5, 0)

	t, err := token.Check(s, appID, appCertificate, now)
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	privileges, err := t.RTCPrivileges("pk-room_1", "1001")
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	fmt.Println("join:", token.CheckPrivilege(privileges, token.PrivJoinChannel, now))
	fmt.Println("publish audio:", token.CheckPrivilege(privileges, token.PrivPublishAudioStream, now))

	_, err = token.Check(s, appID, appCertificate, now.Add(time.Hour))
	fmt.Println("an hour later:", err)
	// Output:
	// join: <nil>
	// publish audio: token: privilege not granted: id 2
	// an hour later: token: expired at 2026-11-22T03:47:30Z
}

// Build reproduces a token from its issue time and salt.
func ExampleAccessToken_Build() {
	t := &token.AccessToken{
		AppID:   appID,
		IssueTs: 1795315650,
		Expire:  3600,
		Salt:    18565326,
		Services: []token.Service{{
			Type:       token.ServiceRTM,
			UserID:     "host-1",
			Privileges: map[token.Privilege]uint32{token.PrivLogin: 3600},
		}},
	}
	s, err := t.Build(appCertificate)
	if err != nil {
		panic(err)
	}
	// The signature covers the uncompressed content: it is the one Agora's
	// builders compute for the same token. Compare tokens decoded, not as
	// strings (zlib implementations compress differently).
	fmt.Printf("signature %x…\n", t.Signature[:8])
	back, err := token.Check(s, appID, appCertificate, t.IssuedAt().Add(time.Minute))
	if err != nil {
		panic(err)
	}
	rtm, _ := back.Service(token.ServiceRTM)
	fmt.Println(rtm.UserID, rtm.Privileges[token.PrivLogin])
	// Output:
	// signature 2c574eb34723424d…
	// host-1 3600
}

// Parse decodes a token without checking it.
func ExampleParse() {
	t, err := token.Parse("007eJxTYChd6rtubmGauNrt4nL+hfYe71cbHF4xYWLDY8Xbz7feOmWnwGBpbpCcaGyakmpmkGxiYmZimpSUmGqRaGRoamBmmGRsfCicKTuCiYHhtLIUEyMDIwMLAyMDiM8EJpnBJAuYZGXIyU9KqmRgAACxOiA0")
	if err != nil {
		panic(err)
	}
	rtc, _ := t.Service(token.ServiceRTC)
	fmt.Printf("app %s, issued %s, expires %s\n", t.AppID, t.IssuedAt().UTC().Format(time.RFC3339), t.ExpiresAt().UTC().Format(time.RFC3339))
	fmt.Printf("channel %q, uid %q (any uid)\n", rtc.Channel, rtc.UID)
	// Output:
	// app 970ca35de60c44645bbae8a215061b33, issued 2026-11-22T02:47:30Z, expires 2026-11-22T02:57:30Z
	// channel "lobby", uid "" (any uid)
}

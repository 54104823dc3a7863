// Package token reads, verifies and builds AccessToken2 ("007") tokens,
// the tokens of Agora's current builders, compatible with them: a token
// from Agora's builders verifies here, a token built here verifies with
// Agora's, and a token built here with the same issue time and salt
// decodes to the same content and signature.
//
// # Format
//
// A token is "007" followed by the standard base64 of the zlib-compressed
// content. All integers are little-endian; a string is a u16 length and its
// bytes.
//
//	content = [str signature][body]
//	body    = [str appId][u32 issueTs][u32 expire][u32 salt][u16 count] service×count
//	service = [u16 type][u16 n] ([u16 privilege][u32 expire])×n  fields
//	fields  = RTC (1): [str channel][str uid]; RTM (2): [str userId]
//
// Services appear in order of type and privileges in order of id. The
// signature is HMAC-SHA256 of the body under the key
// HMAC-SHA256(LE32(salt), HMAC-SHA256(LE32(issueTs), appCertificate)).
//
// Other services (FPA, Chat, Education) parse and are written back
// unchanged; a service type this package does not know keeps the rest of
// the token in [Service.Extra]. Privilege ids are kept in a map, so ids that
// Agora's AccessToken2 builders do not mint survive a parse and rebuild.
//
// # Compression
//
// Agora's builders compress with zlib at its default level, and zlib
// implementations differ in the bytes they produce. Build uses Go's
// compress/zlib, as Agora's Go builder does, so its string may differ
// from one of Agora's Node.js builder for the same token; the signature
// covers the uncompressed content, so both decode to the same fields and
// verify alike. Parse accepts any valid zlib stream.
//
// # Expiry
//
// expire and every privilege expire are seconds after issueTs. A token is
// valid strictly before issueTs+expire; a privilege strictly before
// issueTs+its expire, capped at the token's expiry. A value of 0 therefore
// means "expired when issued": the format has no "never expires" value, and
// cohost does not read one into 0.
//
// # Uids
//
// The RTC uid is written as a string: the decimal uid, or the user account.
// uid 0 is written as "", and a token with uid "" may be used by any uid.
//
// # Use on a server
//
//	t, err := token.Check(s, appID, appCertificate, time.Now())
//	if err != nil { ... }                  // malformed, wrong app, bad signature, expired
//	privs, err := t.RTCPrivileges(channel, uid)
//	if err != nil { ... }                  // no RTC service, other channel or uid
//	err = token.CheckPrivilege(privs, token.PrivJoinChannel, time.Now())
package token

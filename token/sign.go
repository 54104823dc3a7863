package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

// signingKey derives the key that signs a token body:
// HMAC-SHA256(LE32(salt), HMAC-SHA256(LE32(issueTs), appCertificate)).
func signingKey(appCertificate string, issueTs, salt uint32) []byte {
	h := hmac.New(sha256.New, binary.LittleEndian.AppendUint32(nil, issueTs))
	h.Write([]byte(appCertificate))
	inner := h.Sum(nil)
	h = hmac.New(sha256.New, binary.LittleEndian.AppendUint32(nil, salt))
	h.Write(inner)
	return h.Sum(nil)
}

// sign returns the signature of an encoded body.
func sign(appCertificate string, issueTs, salt uint32, body []byte) []byte {
	h := hmac.New(sha256.New, signingKey(appCertificate, issueTs, salt))
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks that Signature was made with appCertificate. For a parsed
// token it checks the body exactly as received (so tokens whose services or
// privileges are not in the usual order verify as well); changing the fields
// of a parsed token does not change what Verify checks: Build a new token
// instead. It returns ErrInvalidCertificate for a malformed certificate and
// ErrSignature when the signature does not hold.
func (t *AccessToken) Verify(appCertificate string) error {
	if !isHex32(appCertificate) {
		return ErrInvalidCertificate
	}
	issueTs, salt, body := t.IssueTs, t.Salt, t.body
	if body == nil {
		var err error
		if body, err = t.encodeBody(); err != nil {
			return err
		}
	} else {
		issueTs, salt = bodyIssueAndSalt(body)
	}
	if !hmac.Equal(sign(appCertificate, issueTs, salt, body), t.Signature) {
		return ErrSignature
	}
	return nil
}

// bodyIssueAndSalt reads the issue time and salt of a body that Parse or
// Build produced: [str appId][u32 issueTs][u32 expire][u32 salt]...
func bodyIssueAndSalt(body []byte) (issueTs, salt uint32) {
	off := 2 + int(binary.LittleEndian.Uint16(body))
	return binary.LittleEndian.Uint32(body[off:]), binary.LittleEndian.Uint32(body[off+8:])
}

// isHex32 reports whether s is 32 hexadecimal characters, the form of App
// IDs and App Certificates.
func isHex32(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

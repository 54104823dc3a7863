package token

import "errors"

// Errors returned by this package. They are wrapped with details (an offset,
// a time, the values that differ), so compare them with [errors.Is].
var (
	// ErrMalformed means the token string could not be decoded: a wrong
	// version prefix, invalid base64, a broken zlib stream, a truncated or
	// duplicated field, or bytes left over.
	ErrMalformed = errors.New("token: malformed")

	// ErrUnsupportedVersion means the token carries a version other than
	// "007" (for example a legacy "006" AccessToken). It is always reported
	// together with ErrMalformed.
	ErrUnsupportedVersion = errors.New("token: unsupported version")

	// ErrSignature means the signature does not hold for the App Certificate.
	ErrSignature = errors.New("token: signature does not match the app certificate")

	// ErrExpired means the token's own lifetime has ended.
	ErrExpired = errors.New("token: expired")

	// ErrAppIDMismatch means the token was issued for another App ID.
	ErrAppIDMismatch = errors.New("token: app id mismatch")

	// ErrInvalidAppID means an App ID is not 32 hexadecimal characters.
	ErrInvalidAppID = errors.New("token: app id must be 32 hexadecimal characters")

	// ErrInvalidCertificate means an App Certificate is not 32 hexadecimal
	// characters.
	ErrInvalidCertificate = errors.New("token: app certificate must be 32 hexadecimal characters")

	// ErrInvalidRole means a role is neither RolePublisher nor RoleSubscriber.
	ErrInvalidRole = errors.New("token: invalid role")

	// ErrInvalidField means a token cannot be encoded: a string longer than
	// 65535 bytes, a service listed twice, or too many entries.
	ErrInvalidField = errors.New("token: invalid field")

	// ErrNoService means the token carries no service of the requested type.
	ErrNoService = errors.New("token: service not in token")

	// ErrChannelMismatch means the RTC service is for another channel.
	ErrChannelMismatch = errors.New("token: channel mismatch")

	// ErrUIDMismatch means the token is for another uid, user account or
	// RTM user id.
	ErrUIDMismatch = errors.New("token: uid mismatch")

	// ErrNoPrivilege means the service does not grant the privilege.
	ErrNoPrivilege = errors.New("token: privilege not granted")

	// ErrPrivilegeExpired means the privilege was granted but has expired.
	ErrPrivilegeExpired = errors.New("token: privilege expired")
)

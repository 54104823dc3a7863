package protocol

import "fmt"

// Limits fixed by Agora's rules.
const (
	MaxChannelNameLen = 64
	MaxUserAccountLen = 255
)

// allowed reports whether b is in Agora's 89-character set: a-z A-Z 0-9,
// space and ! # $ % & ( ) + - : ; < = . > ? @ [ ] ^ _ { } | ~ ,
func allowed(b byte) bool {
	switch {
	case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		return true
	}
	switch b {
	case ' ', '!', '#', '$', '%', '&', '(', ')', '+', '-', ':', ';', '<', '=', '.', '>', '?', '@', '[', ']', '^', '_', '{', '}', '|', '~', ',':
		return true
	}
	return false
}

func validateName(what, s string, max int) error {
	if s == "" {
		return fmt.Errorf("%s is empty", what)
	}
	if len(s) > max {
		return fmt.Errorf("%s is %d bytes, over the limit of %d", what, len(s), max)
	}
	for i := 0; i < len(s); i++ {
		if !allowed(s[i]) {
			return fmt.Errorf("%s has character %q at byte %d, outside the allowed set", what, s[i], i)
		}
	}
	return nil
}

// ValidateChannelName checks a channel name: 1–64 bytes of the 89-character set.
func ValidateChannelName(name string) error {
	return validateName("channel name", name, MaxChannelNameLen)
}

// ValidateUserAccount checks a user account: 1–255 bytes of the 89-character set.
func ValidateUserAccount(account string) error {
	if err := validateName("user account", account, MaxUserAccountLen); err != nil {
		return err
	}
	if account == "null" {
		return fmt.Errorf("user account %q is reserved", account)
	}
	return nil
}

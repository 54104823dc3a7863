package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cohost-rtc/cohost/token"
)

// Exit codes of the cohost command; "cohost token inspect" uses all four.
const (
	exitOK        = 0 // success; for inspect, the token is valid (or was only decoded)
	exitUsage     = 1 // usage error, or a token that cannot be decoded
	exitSignature = 2 // the signature does not hold for the certificate, or another app id
	exitExpired   = 3 // the signature holds but the token, or every privilege, has expired
)

// exitError is a command failure with its process exit code. err, when not
// nil, is reported on stderr.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return "exit status " + strconv.Itoa(e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// Environment variables that supply the app when the flags are absent; the
// server reads the same ones.
const (
	envAppID          = "COHOST_APP_ID"
	envAppCertificate = "COHOST_APP_CERTIFICATE"
)

// newTokenCmd returns "cohost token" and its subcommands.
func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Mint and inspect AccessToken2 (007) tokens",
		Long: `Mint and inspect AccessToken2 ("007") tokens, the tokens of Agora's current
token builders. cohost accepts tokens from an existing Agora token server, and
tokens minted here work wherever Agora's do.

The app comes from --app-id and --app-certificate, or from the environment
variables COHOST_APP_ID and COHOST_APP_CERTIFICATE that the server reads too.
Expiry values are seconds from now. See docs/tokens.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newTokenRTCCmd(), newTokenRTMCmd(), newTokenInspectCmd())
	return cmd
}

// appFlags are the --app-id and --app-certificate flags of a token command.
type appFlags struct {
	id, cert string
}

func (a *appFlags) bind(cmd *cobra.Command, certUsage string) {
	cmd.Flags().StringVar(&a.id, "app-id", "", "App ID, 32 hex characters (default $"+envAppID+")")
	cmd.Flags().StringVar(&a.cert, "app-certificate", "", certUsage+" (default $"+envAppCertificate+")")
}

// resolve fills the values not given on the command line from the
// environment.
func (a *appFlags) resolve(cmd *cobra.Command) {
	if !cmd.Flags().Changed("app-id") {
		a.id = os.Getenv(envAppID)
	}
	if !cmd.Flags().Changed("app-certificate") {
		a.cert = os.Getenv(envAppCertificate)
	}
}

// require resolves the app and checks that both parts are present.
func (a *appFlags) require(cmd *cobra.Command) error {
	a.resolve(cmd)
	if a.id == "" {
		return fmt.Errorf("--app-id (or $%s) is required", envAppID)
	}
	if a.cert == "" {
		return fmt.Errorf("--app-certificate (or $%s) is required", envAppCertificate)
	}
	return nil
}

func newTokenRTCCmd() *cobra.Command {
	var (
		app                      appFlags
		channel, account, role   string
		uid                      uint32
		expire, privilegeExpire  uint32
		join, audio, video, data uint32
		withRTM, admin           bool
	)
	cmd := &cobra.Command{
		Use:   "rtc --channel NAME (--uid N | --account NAME) [flags]",
		Short: "Mint an RTC token for a channel",
		Long: `Mint an RTC token for a uid or a user account in a channel and print it.

The role grants privileges as Agora's builders do: publisher (the default)
may join and publish audio, video and data; subscriber may only join. The
per-privilege flags (--join-expire and the --publish-*-expire flags) replace
the role: the token then grants all four privileges, each for its own
number of seconds (those not given last --privilege-expire).

--uid 0 makes a token any uid may use. --with-rtm adds the RTM service for
the same user (the account, or the uid in decimal), as Agora's
buildTokenWithRtm does. --admin adds the administrate-channel privilege
(101), which lets its holder change the role of other users in the channel
on cohost (Agora's 007 builders cannot mint it).`,
		Example: `  cohost token rtc --app-id $APP_ID --app-certificate $APP_CERT --channel demo --uid 1001
  cohost token rtc --channel demo --account alice --role subscriber --expire 600
  cohost token rtc --channel demo --uid 7 --expire 3600 --join-expire 3600 --publish-audio-expire 300`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.require(cmd); err != nil {
				return err
			}
			fs := cmd.Flags()
			if !fs.Changed("privilege-expire") {
				privilegeExpire = expire
			}
			perPrivilege := fs.Changed("join-expire") || fs.Changed("publish-audio-expire") ||
				fs.Changed("publish-video-expire") || fs.Changed("publish-data-expire")
			user := account
			if !fs.Changed("account") {
				user = token.UIDString(uid)
			}
			var (
				s   string
				err error
			)
			switch {
			case perPrivilege:
				if fs.Changed("role") || withRTM || admin {
					return errors.New("the per-privilege flags cannot be combined with --role, --with-rtm or --admin")
				}
				pick := func(name string, v uint32) uint32 {
					if fs.Changed(name) {
						return v
					}
					return privilegeExpire
				}
				s, err = token.BuildRTCWithPrivileges(app.id, app.cert, channel, user, expire,
					pick("join-expire", join), pick("publish-audio-expire", audio),
					pick("publish-video-expire", video), pick("publish-data-expire", data))
			default:
				r, perr := token.ParseRole(role)
				if perr != nil {
					return perr
				}
				if admin && withRTM {
					return errors.New("--admin cannot be combined with --with-rtm")
				}
				if admin {
					s, err = token.BuildRTCAdmin(app.id, app.cert, channel, user, r, expire, privilegeExpire)
				} else if withRTM {
					if user == "" {
						return errors.New("--with-rtm needs a user: a non-zero --uid or an --account")
					}
					s, err = token.BuildRTCWithRTM(app.id, app.cert, channel, user, r, expire, privilegeExpire)
				} else {
					s, err = token.BuildRTCWithAccount(app.id, app.cert, channel, user, r, expire, privilegeExpire)
				}
			}
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), s)
			return err
		},
	}
	app.bind(cmd, "App Certificate, 32 hex characters")
	fs := cmd.Flags()
	fs.StringVar(&channel, "channel", "", "channel name (required)")
	fs.Uint32Var(&uid, "uid", 0, "numeric uid; 0 lets any uid use the token")
	fs.StringVar(&account, "account", "", "user account (string uid)")
	fs.StringVar(&role, "role", "publisher", "publisher or subscriber")
	fs.Uint32Var(&expire, "expire", 3600, "token lifetime in seconds")
	fs.Uint32Var(&privilegeExpire, "privilege-expire", 0, "privilege lifetime in seconds (default --expire)")
	fs.Uint32Var(&join, "join-expire", 0, "join channel privilege lifetime in seconds")
	fs.Uint32Var(&audio, "publish-audio-expire", 0, "publish audio privilege lifetime in seconds")
	fs.Uint32Var(&video, "publish-video-expire", 0, "publish video privilege lifetime in seconds")
	fs.Uint32Var(&data, "publish-data-expire", 0, "publish data stream privilege lifetime in seconds")
	fs.BoolVar(&withRTM, "with-rtm", false, "add the RTM service for the same user")
	fs.BoolVar(&admin, "admin", false, "add the administrate-channel privilege (101): may change other users' roles")
	_ = cmd.MarkFlagRequired("channel")
	cmd.MarkFlagsOneRequired("uid", "account")
	cmd.MarkFlagsMutuallyExclusive("uid", "account")
	return cmd
}

func newTokenRTMCmd() *cobra.Command {
	var (
		app    appFlags
		userID string
		expire uint32
	)
	cmd := &cobra.Command{
		Use:   "rtm --user-id ID [flags]",
		Short: "Mint an RTM (messaging) token for a user",
		Long: `Mint an RTM token for a user id and print it. The login privilege and the
token last --expire seconds, as with Agora's RtmTokenBuilder.`,
		Example: `  cohost token rtm --app-id $APP_ID --app-certificate $APP_CERT --user-id host-1`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.require(cmd); err != nil {
				return err
			}
			s, err := token.BuildRTM(app.id, app.cert, userID, expire)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), s)
			return err
		},
	}
	app.bind(cmd, "App Certificate, 32 hex characters")
	cmd.Flags().StringVar(&userID, "user-id", "", "RTM user id (required)")
	cmd.Flags().Uint32Var(&expire, "expire", 3600, "token and login lifetime in seconds")
	_ = cmd.MarkFlagRequired("user-id")
	return cmd
}

func newTokenInspectCmd() *cobra.Command {
	var (
		app appFlags
		now string
	)
	cmd := &cobra.Command{
		Use:   "inspect [--app-certificate CERT] [--app-id ID] [--now TIME] TOKEN",
		Short: "Decode a token and check it",
		Long: `Decode a token and print its app id, issue and expiry times, and every
service with its channel, uid or user id and each privilege with its
absolute expiry, "valid" or "expired" at --now (default: the current time).

With an App Certificate (--app-certificate or $COHOST_APP_CERTIFICATE) it
also checks the signature; without one it only decodes, and says
"signature not checked". An App ID (--app-id or $COHOST_APP_ID) must match
the token's.

Exit codes:
  0  the token is valid at --now (or was only decoded: no certificate)
  1  usage error, or the token cannot be decoded
  2  the signature does not hold for the certificate, or the app id differs
  3  the signature holds but the token, or every privilege in it, has
     expired at --now`,
		Example: `  cohost token inspect --app-certificate $APP_CERT "$TOKEN"
  cohost token inspect --now 2026-11-22T10:00:00Z "$TOKEN"
  cohost token inspect --now 1795315655 "$TOKEN"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			app.resolve(cmd)
			at, err := parseNow(now)
			if err != nil {
				return err
			}
			t, err := token.Parse(strings.TrimSpace(args[0]))
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			return inspect(cmd.OutOrStdout(), t, app, at)
		},
	}
	app.bind(cmd, "App Certificate to check the signature with")
	cmd.Flags().StringVar(&now, "now", "", "the time to check expiry at: RFC 3339 or Unix seconds (default the current time)")
	return cmd
}

// parseNow parses --now: empty for the current time, RFC 3339, or Unix
// seconds.
func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	if secs, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(secs, 0), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--now %q: want RFC 3339 (2026-11-22T10:00:00Z) or Unix seconds", s)
	}
	return t, nil
}

// inspect prints t and returns the exitError of its status at now.
func inspect(w io.Writer, t *token.AccessToken, app appFlags, now time.Time) error {
	var sigErr error
	if app.cert != "" {
		sigErr = t.Verify(app.cert)
		if errors.Is(sigErr, token.ErrInvalidCertificate) {
			return sigErr // a usage error: print nothing
		}
	}
	stamp := func(at time.Time) string { return at.UTC().Format(time.RFC3339) }
	state := func(at time.Time) string {
		if now.Before(at) {
			return "valid"
		}
		return "expired"
	}
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }

	p("version      %s (AccessToken2)\n", token.Version)
	p("app id       %s\n", t.AppID)
	p("issued at    %s (%d)\n", stamp(t.IssuedAt()), t.IssueTs)
	p("expires at   %s (+%d s)  %s\n", stamp(t.ExpiresAt()), t.Expire, state(t.ExpiresAt()))
	p("salt         %d\n", t.Salt)
	p("checked at   %s\n", stamp(now))

	privileges, live := 0, 0
	for _, svc := range t.Services {
		p("service      %s%s\n", svc.Type, serviceFields(&svc))
		for _, id := range slices.Sorted(maps.Keys(svc.Privileges)) {
			seconds := svc.Privileges[id]
			at, _ := t.PrivilegeExpiresAt(svc.Type, id)
			note := ""
			if seconds > t.Expire {
				note = ", capped at the token's expiry"
			}
			p("  %-20s %s (+%d s%s)  %s\n", svc.Type.PrivilegeName(id), stamp(at), seconds, note, state(at))
			privileges++
			if now.Before(at) {
				live++
			}
		}
	}

	if app.id != "" && app.id != t.AppID {
		p("signature    not checked: the token is for another app id\n")
		return &exitError{code: exitSignature, err: fmt.Errorf("%w: token is for %s, not %s", token.ErrAppIDMismatch, t.AppID, app.id)}
	}
	if app.cert == "" {
		p("signature    not checked (no app certificate)\n")
		return nil
	}
	if sigErr != nil {
		p("signature    does not hold for the app certificate\n")
		return &exitError{code: exitSignature, err: sigErr}
	}
	p("signature    valid\n")
	switch {
	case !now.Before(t.ExpiresAt()):
		return &exitError{code: exitExpired, err: fmt.Errorf("%w at %s", token.ErrExpired, stamp(t.ExpiresAt()))}
	case privileges > 0 && live == 0:
		return &exitError{code: exitExpired, err: fmt.Errorf("%w: every privilege has expired", token.ErrPrivilegeExpired)}
	}
	return nil
}

// serviceFields describes the type-specific fields of a service.
func serviceFields(svc *token.Service) string {
	switch svc.Type {
	case token.ServiceRTC:
		uid := strconv.Quote(svc.UID)
		if svc.UID == "" {
			uid += " (any uid)"
		}
		return fmt.Sprintf("  channel %q, uid %s", svc.Channel, uid)
	case token.ServiceRTM, token.ServiceChat:
		return fmt.Sprintf("  user id %q", svc.UserID)
	}
	if len(svc.Extra) > 0 {
		return fmt.Sprintf("  (%d bytes of fields not decoded)", len(svc.Extra))
	}
	return ""
}

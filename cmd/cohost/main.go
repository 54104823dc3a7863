// Command cohost is a self-hosted live-streaming server compatible with
// Agora's APIs: one binary, zero configuration.
//
// Without a command it runs the server (cohost serve); cohost serve --help
// lists every option. cohost token handles tokens, cohost drain drains a
// running node, cohost version prints the version.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run executes the command line args and returns the process exit code.
// Cancelling ctx stops the server as SIGINT or SIGTERM do.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	root := newRootCmd(getenv)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return exitCode(root.ExecuteContext(ctx), stderr)
}

// exitCode reports err on stderr and returns the exit code it stands for:
// 0 for nil, the code of an *exitError, else 1.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "cohost:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "cohost:", err)
	return 1
}

// newRootCmd returns the cohost command tree. getenv reads the environment
// (os.Getenv outside tests).
func newRootCmd(getenv func(string) string) *cobra.Command {
	root := &cobra.Command{
		Use:   "cohost",
		Short: "Self-hosted live-streaming server compatible with Agora's APIs",
		Long: `cohost is a self-hosted live-streaming server compatible with Agora's APIs:
one binary, zero configuration.

Without a command, cohost runs the server, as "cohost serve" does, and takes
the same flags. See "cohost serve --help" for every option.`,
		Version:       moduleVersion(),
		SilenceErrors: true, // run reports errors
		SilenceUsage:  true,
	}
	root.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	setupServe(root, getenv)
	root.AddCommand(newServeCmd(getenv), newVersionCmd(), newTokenCmd())
	root.AddCommand(newLoadtestCmd(getenv), newDrainCmd(getenv))
	return root
}

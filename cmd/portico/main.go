// Command portico runs Portico, a white-label customer portal for VoIP
// carriers. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"portico/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

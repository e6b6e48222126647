// Command server serves the in-browser trainer: the page (index.html) and
// the static files under assets/, and nothing else.
//
// Run it from the repository root:
//
//	go run ./server                      # http://127.0.0.1:8080/
//	go run ./server -addr 127.0.0.1:0    # any free port
//	go run ./server -root /path/to/repo
//
// Once listening it prints one line, "serving http://HOST:PORT/", to
// standard output, so a script can wait for it and read the real port.
// Every response carries the cross-origin isolation and security headers
// described in headers.go; an access log line per request goes to standard
// error. Ctrl-C or SIGTERM shuts it down gracefully.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// Defaults of the command-line flags.
const (
	// defaultAddr is loopback only: the server is a development and
	// personal-use server, not meant to face a network.
	defaultAddr = "127.0.0.1:8080"
	// defaultRoot is the working directory, the repository root when run
	// as "go run ./server" from it.
	defaultRoot = "."
)

// Server timeouts. Reading a request is bounded tightly since every request
// is a bodiless GET or HEAD; writing is bounded loosely since the sample
// dataset and the model can be large and the connection slow.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 5 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	// shutdownTimeout is how long in-flight requests get to finish after
	// Ctrl-C or SIGTERM before their connections are closed.
	shutdownTimeout = 5 * time.Second
)

// errUsage marks errors in the command line; run has already printed the
// reason and the usage when it returns one.
var errUsage = errors.New("server: bad usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// run parses the command-line arguments args, serves until ctx is done and
// then shuts down gracefully. It writes the "serving" line to stdout and
// the access log and usage to stderr. It returns nil after a clean
// shutdown, and nil for -h.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("server", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", defaultAddr, "`address` to listen on (host:port; port 0 picks a free one)")
	rootDir := flags.String("root", defaultRoot, "`directory` holding index.html and assets/")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected arguments: %q\n", flags.Args())
		flags.Usage()
		return fmt.Errorf("%w: unexpected arguments", errUsage)
	}

	root, err := os.OpenRoot(*rootDir)
	if err != nil {
		return fmt.Errorf("open root: %w", err)
	}
	defer root.Close()
	if _, err := root.Stat(indexFile); err != nil {
		abs, _ := filepath.Abs(*rootDir)
		return fmt.Errorf("no %s in %s (run from the repository root or pass -root): %w", indexFile, abs, err)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           newHandler(root, stderr),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "serving %s\n", siteURL(ln.Addr()))

	select {
	case err := <-served: // Serve never returns nil.
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// siteURL returns the address a browser can open for a listener bound to
// addr: an unspecified host (":8080", "0.0.0.0:8080") becomes localhost.
func siteURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String() + "/"
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return fmt.Sprintf("http://%s/", net.JoinHostPort(host, fmt.Sprint(tcp.Port)))
}

// Command echo is a small service shaped like a GoNeat / tRPC-Go server, used to
// show how goneat-deploy runs a Go service as a proper daemon: in the
// foreground, under tini as PID 1, with stop and restart left to the runtime.
//
// It uses the standard library only and builds with Go 1.19 and CGO_ENABLED=0.
//
//	GET  :8080/             200 "ok"
//	GET  :8080/slow?ms=N    200 after N milliseconds (for drain tests)
//	GET  :9090/is_healthy/  200 while serving, 503 once shutdown has begun
//
// Helper modes for scratch images (no shell, no curl, no sleep):
//
//	echo -probe URL       exit 0 when URL answers 2xx (healthchecks)
//	echo -sleep DURATION  sleep, for a Kubernetes exec preStop hook on clusters < 1.30
//
// SIGTERM and SIGINT start a graceful shutdown: health turns 503, the service
// waits -close-wait (still serving, so load balancers can notice), stops
// accepting, lets in-flight requests finish within -drain, and exits 0.
//
// It deliberately does NOT subscribe to SIGHUP: Go's default action (exit)
// applies, and under a supervisor no terminal exists to send one. The
// -legacy-sighup flag reproduces the old framework bug, which subscribed to
// SIGHUP and exited on it, undoing the "ignore SIGHUP" set up by nohup.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var logger = func(format string, args ...interface{}) {
	fmt.Fprintf(os.Stdout, "echo[%d] %s "+format+"\n",
		append([]interface{}{os.Getpid(), time.Now().UTC().Format("15:04:05.000")}, args...)...)
}

type options struct {
	httpAddr        string
	adminAddr       string
	drain           time.Duration
	closeWait       time.Duration
	legacySIGHUP    bool
	noSignalHandler bool
	debug           bool
}

func main() {
	// Helper modes run instead of the server; they are checked before flag
	// parsing of server options so they stay tiny.
	if len(os.Args) >= 2 {
		switch os.Args[1] {
		case "-probe", "--probe":
			os.Exit(probe(os.Args[2:]))
		case "-orphan-child":
			os.Exit(orphanChild(os.Args[2:]))
		case "-orphan-grandchild":
			time.Sleep(20 * time.Millisecond)
			os.Exit(0)
		case "-sleep":
			// A preStop exec hook for clusters without the sleep action (< 1.30):
			// a scratch image has no /bin/sleep, so the binary sleeps itself.
			os.Exit(sleep(os.Args[2:]))
		}
	}

	var o options
	fs := flag.NewFlagSet("echo", flag.ExitOnError)
	fs.StringVar(&o.httpAddr, "http", ":8080", "address of the service port")
	fs.StringVar(&o.adminAddr, "admin", ":9090", "address of the admin port (/is_healthy/)")
	fs.DurationVar(&o.drain, "drain", 5*time.Second, "longest time in-flight requests get to finish after a stop signal")
	fs.DurationVar(&o.closeWait, "close-wait", 0, "time between turning unhealthy and closing the listeners (like tRPC-Go close_wait_time)")
	fs.BoolVar(&o.legacySIGHUP, "legacy-sighup", false, "reproduce the old framework bug: subscribe to SIGHUP and exit on it")
	fs.BoolVar(&o.noSignalHandler, "no-signal-handler", false, "do not handle SIGTERM/SIGINT at all (Go's default action), to show Go as PID 1 without an init")
	fs.BoolVar(&o.debug, "debug", false, "enable /debug/ endpoints on the admin port (exit, panic, orphans)")
	_ = fs.Parse(os.Args[1:])
	os.Exit(run(o))
}

func run(o options) int {
	var shuttingDown atomic.Bool
	var inFlight atomic.Int64

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		ms, err := strconv.Atoi(r.URL.Query().Get("ms"))
		if err != nil || ms < 0 {
			http.Error(w, "ms must be a non-negative integer", http.StatusBadRequest)
			return
		}
		inFlight.Add(1)
		defer inFlight.Add(-1)
		time.Sleep(time.Duration(ms) * time.Millisecond)
		fmt.Fprintf(w, "slept %dms\n", ms)
	})

	admin := http.NewServeMux()
	admin.HandleFunc("/is_healthy/", func(w http.ResponseWriter, r *http.Request) {
		if shuttingDown.Load() {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "healthy")
	})
	if o.debug {
		registerDebug(admin)
	}

	ln, err := net.Listen("tcp", o.httpAddr)
	if err != nil {
		logger("listen %s: %v", o.httpAddr, err)
		return 1
	}
	adminLn, err := net.Listen("tcp", o.adminAddr)
	if err != nil {
		logger("listen %s: %v", o.adminAddr, err)
		return 1
	}
	busy := newConnTracker()
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ConnState: busy.track}
	adminSrv := &http.Server{Handler: admin, ReadHeaderTimeout: 10 * time.Second}

	serveErr := make(chan error, 2)
	go func() { serveErr <- srv.Serve(ln) }()
	go func() { serveErr <- adminSrv.Serve(adminLn) }()

	stop := make(chan os.Signal, 1)
	if !o.noSignalHandler {
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	}
	if o.legacySIGHUP {
		// The bug this project exists to avoid: subscribing to SIGHUP undoes
		// nohup's SIG_IGN, so a dropped terminal stops the service.
		// goneat-deploy:ignore GD017 -legacy-sighup reproduces the bug on purpose (test/e2e/nohup.test.ts)
		signal.Notify(stop, syscall.SIGHUP)
	}
	logger("serving http on %s, admin on %s (drain %s, close-wait %s, legacy-sighup %t)",
		ln.Addr(), adminLn.Addr(), o.drain, o.closeWait, o.legacySIGHUP)

	select {
	case sig := <-stop:
		logger("received %s: shutting down", sig)
	case err := <-serveErr:
		logger("server failed: %v", err)
		return 1
	}

	shuttingDown.Store(true)
	logger("health now 503")
	if o.closeWait > 0 {
		logger("close-wait %s before closing listeners", o.closeWait)
		time.Sleep(o.closeWait)
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.drain)
	defer cancel()
	logger("closing listeners; draining %d in-flight request(s) for up to %s", inFlight.Load(), o.drain)
	// Shutdown closes the listeners at once, then polls for idle connections
	// every 500ms; the tracker reports the moment the last response is
	// written, so the drain ends when the work does.
	shutdownDone := make(chan error, 1)
	go func() { shutdownDone <- srv.Shutdown(ctx) }()
	select {
	case err = <-shutdownDone:
	case <-busy.idle(ctx):
		err = ctx.Err()
	}
	_ = adminSrv.Close()
	if errors.Is(err, context.DeadlineExceeded) {
		logger("drain timed out with %d request(s) still in flight", inFlight.Load())
		return 1
	}
	logger("drained; exiting 0")
	return 0
}

// connTracker counts connections that are not idle (new or serving a
// request), from http.Server's ConnState hook.
type connTracker struct {
	mu      sync.Mutex
	busy    map[net.Conn]bool
	changed chan struct{}
}

func newConnTracker() *connTracker {
	return &connTracker{busy: map[net.Conn]bool{}, changed: make(chan struct{}, 1)}
}

func (t *connTracker) track(c net.Conn, s http.ConnState) {
	t.mu.Lock()
	switch s {
	case http.StateNew, http.StateActive:
		t.busy[c] = true
	case http.StateIdle, http.StateClosed, http.StateHijacked:
		delete(t.busy, c)
	}
	t.mu.Unlock()
	select {
	case t.changed <- struct{}{}:
	default:
	}
}

// idle is closed once no connection is busy (or ctx ends).
func (t *connTracker) idle(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			t.mu.Lock()
			n := len(t.busy)
			t.mu.Unlock()
			if n == 0 {
				return
			}
			select {
			case <-t.changed:
			case <-ctx.Done():
				return
			}
		}
	}()
	return done
}

// registerDebug adds endpoints used by the reliability tests.
func registerDebug(admin *http.ServeMux) {
	admin.HandleFunc("/debug/exit", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(r.URL.Query().Get("code"))
		if err != nil || code < 0 || code > 255 {
			http.Error(w, "code must be 0..255", http.StatusBadRequest)
			return
		}
		logger("debug: exiting with code %d", code)
		fmt.Fprintf(w, "exiting %d\n", code)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		go func() { time.Sleep(50 * time.Millisecond); os.Exit(code) }()
	})
	admin.HandleFunc("/debug/panic", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "panicking")
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		go func() {
			time.Sleep(50 * time.Millisecond)
			panic("debug: panic requested")
		}()
	})
	// /debug/orphans?n=N&batch=B re-executes this binary as children that
	// each start B grandchildren and exit at once without waiting for them:
	// N grandchildren are orphaned and must be reaped by PID 1 (tini).
	admin.HandleFunc("/debug/orphans", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil || n < 1 || n > 100000 {
			http.Error(w, "n must be 1..100000", http.StatusBadRequest)
			return
		}
		self, err := os.Executable()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		batch, _ := strconv.Atoi(r.URL.Query().Get("batch"))
		if batch < 1 || batch > 1000 {
			batch = 10
		}
		parallel, _ := strconv.Atoi(r.URL.Query().Get("parallel"))
		if parallel < 1 || parallel > 64 {
			parallel = 4
		}
		var failures atomic.Int64
		var wg sync.WaitGroup
		next := make(chan int)
		for p := 0; p < parallel; p++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range next {
					if err := exec.Command(self, "-orphan-child", strconv.Itoa(k)).Run(); err != nil {
						failures.Add(int64(k))
					}
				}
			}()
		}
		for left := n; left > 0; left -= batch {
			k := batch
			if left < k {
				k = left
			}
			next <- k
		}
		close(next)
		wg.Wait()
		failed := int(failures.Load())
		fmt.Fprintf(w, "spawned %d orphan(s), %d failed\n", n-failed, failed)
	})
}

// orphanChild starts grandchildren (default 1) and exits without waiting for them.
func orphanChild(args []string) int {
	n := 1
	if len(args) == 1 {
		n, _ = strconv.Atoi(args[0])
	}
	self, err := os.Executable()
	if err != nil {
		return 1
	}
	for i := 0; i < n; i++ {
		if err := exec.Command(self, "-orphan-grandchild").Start(); err != nil {
			return 1
		}
	}
	return 0
}

func sleep(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: echo -sleep DURATION")
		return 2
	}
	d, err := time.ParseDuration(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "sleep:", err)
		return 2
	}
	time.Sleep(d)
	return 0
}

// probe is a tiny HTTP health check for images without a shell or curl:
// echo -probe URL exits 0 on a 2xx answer and 1 otherwise.
func probe(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: echo -probe URL")
		return 2
	}
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		fmt.Fprintln(os.Stderr, "probe:", resp.Status)
		return 1
	}
	return 0
}

// Command hello is a tRPC-Go HTTP service (protocol http_no_protocol) used to
// show goneat-deploy on the real framework: built statically, run in the
// foreground under tini, stopped by the runtime with SIGTERM.
//
//	GET  :8080/             200 "ok pid=N"
//	GET  :8080/slow?ms=N    200 after N milliseconds (for drain tests);
//	                        the request context ends at the service timeout
//	GET  :9028/is_healthy/  tRPC-Go's admin server (also /debug/pprof, /cmds/config:
//	                        never publish it beyond 127.0.0.1)
//
// Shutdown is tRPC-Go's own, configured in trpc_go.yaml (server.Server.Serve
// and tryClose in server/serve_unix.go and server/server.go, service.Close in
// server/service.go): on SIGTERM or SIGINT the admin server closes at once,
// each service sleeps close_wait_time while still accepting, waits for
// in-flight requests up to max_close_wait_time (only counted when
// max_close_wait_time > close_wait_time), and Serve returns: exit 0. SIGUSR2
// is tRPC-Go's hot restart; SIGHUP is not subscribed, so Go's default (exit)
// applies.
//
// `hello -probe URL` exits 0 when URL answers 2xx: a health check for a
// scratch image, which has no curl.
package main

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	trpc "trpc.group/trpc-go/trpc-go"
	thttp "trpc.group/trpc-go/trpc-go/http"
	"trpc.group/trpc-go/trpc-go/log"
)

// serviceName is the service in trpc_go.yaml this binary registers its handlers on.
const serviceName = "trpc.goneat.hello.http"

func main() {
	// Before trpc.NewServer: it parses the command line itself (flag -conf).
	if len(os.Args) == 3 && (os.Args[1] == "-probe" || os.Args[1] == "--probe") {
		os.Exit(probe(os.Args[2]))
	}

	s := trpc.NewServer()
	svc := s.Service(serviceName)
	if svc == nil {
		fmt.Fprintf(os.Stderr, "hello: trpc_go.yaml has no service named %s\n", serviceName)
		os.Exit(1)
	}
	thttp.RegisterNoProtocolServiceMux(svc, newMux())
	if err := s.Serve(); err != nil {
		log.Errorf("serve: %v", err)
		os.Exit(1)
	}
	log.Infof("process %d: closed, exiting 0", os.Getpid())
}

func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "ok pid=%d\n", os.Getpid())
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		ms, err := strconv.Atoi(r.URL.Query().Get("ms"))
		if err != nil || ms < 0 {
			http.Error(w, "ms must be a non-negative integer", http.StatusBadRequest)
			return
		}
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
			fmt.Fprintf(w, "slept %dms pid=%d\n", ms, os.Getpid())
		case <-r.Context().Done():
			// The service timeout (trpc_go.yaml server.service[].timeout) ended the request.
			http.Error(w, "timed out", http.StatusServiceUnavailable)
		}
	})
	return mux
}

func probe(url string) int {
	c := http.Client{Timeout: 2 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_ = res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		fmt.Fprintln(os.Stderr, res.Status)
		return 1
	}
	return 0
}

// Command pause is the pod sandbox's process for scripts/k8s.sh: nothing can
// be pulled on the machines that run the tests, so the node's pause image is
// built from this file (static, FROM scratch) instead of
// registry.k8s.io/pause.
//
// Written for goneat-deploy; it does what the upstream pause container
// (kubernetes build/pause/linux/pause.c) is documented to do: hold the pod's
// namespaces open doing nothing, reap zombies when it is PID 1 (SIGCHLD), and
// exit 0 on SIGINT or SIGTERM.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-v" {
		os.Stdout.WriteString("pause (goneat-deploy)\n")
		return
	}
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var status syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}

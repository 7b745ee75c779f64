// Command pause is the sandbox container of the test cluster's pods (containerd's sandbox_image): it holds the pod's
// namespaces, reaps the zombies of a shared PID namespace and exits on SIGINT or SIGTERM — what
// registry.k8s.io/pause does. Built here because no image registry is reachable from the test machines; it runs as
// PID 1 of a FROM-scratch image (scripts/k8s/images.sh), so it is linked statically (CGO_ENABLED=0).
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 16)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for received := range signals {
		if received != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}

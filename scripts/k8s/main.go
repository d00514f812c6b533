// Command kube is every Kubernetes component scripts/k8s.sh runs, and etcd, in one
// binary that picks the component by the name it was called as (a symlink
// kube-apiserver -> kube) or by its first argument (kube kubelet ...), the way
// hyperkube did until Kubernetes 1.17.
//
// Written for goneat-deploy (no upstream equivalent exists any more): one
// `go build` links once instead of seven times (link time and disk measured
// in docs/benchmarks.md, section 6); the packages are compiled once either
// way. Each case calls the same constructor as the component's own main
// package (k8s.io/kubernetes/cmd/<component>/<component>.go) with the same
// side-effect imports. etcd is the version Kubernetes itself pins its
// etcd client to (go.mod), which is also kubeadm's default etcd for the
// release; Debian 12's etcd 3.4 is older than kubeadm's minimum (3.5.24).
//
// `kube cri-reset ENDPOINT` stops and removes every pod sandbox through the
// CRI, so the runtime tears down each sandbox's network (CNI DEL) before
// scripts/k8s.sh down stops it.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
	_ "time/tzdata" // CronJob time zones (kube-apiserver, kube-controller-manager)

	"go.etcd.io/etcd/server/v3/etcdmain"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	_ "k8s.io/client-go/plugin/pkg/client/auth" // kubectl's client auth plugins
	"k8s.io/component-base/cli"
	"k8s.io/component-base/logs"
	_ "k8s.io/component-base/logs/json/register"          // --logging-format=json
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	kubectl "k8s.io/kubectl/pkg/cmd"
	kubectlutil "k8s.io/kubectl/pkg/cmd/util"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	proxy "k8s.io/kubernetes/cmd/kube-proxy/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
	kubelet "k8s.io/kubernetes/cmd/kubelet/app"
)

var components = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl", "cri-reset"}

func main() {
	name := filepath.Base(os.Args[0])
	if !known(name) {
		if len(os.Args) < 2 || !known(os.Args[1]) {
			fmt.Fprintf(os.Stderr, "usage: kube COMPONENT [ARGS...] (or call it through a symlink named COMPONENT)\ncomponents: %v\n", components)
			os.Exit(2)
		}
		name = os.Args[1]
		// Each component parses os.Args[1:] itself (cobra's default).
		os.Args = append([]string{name}, os.Args[2:]...)
	}
	switch name {
	case "etcd":
		etcdmain.Main(os.Args)
	case "kube-apiserver":
		os.Exit(cli.Run(apiserver.NewAPIServerCommand()))
	case "kube-controller-manager":
		os.Exit(cli.Run(controllermanager.NewControllerManagerCommand()))
	case "kube-scheduler":
		os.Exit(cli.Run(scheduler.NewSchedulerCommand()))
	case "kubelet":
		os.Exit(cli.Run(kubelet.NewKubeletCommand(context.Background())))
	case "kube-proxy":
		os.Exit(cli.Run(proxy.NewProxyCommand()))
	case "kubectl":
		// As cmd/kubectl: verbosity is read before the command is built.
		_, _ = logs.GlogSetter(kubectl.GetLogVerbosity(os.Args))
		if err := cli.RunNoErrOutput(kubectl.NewDefaultKubectlCommand()); err != nil {
			kubectlutil.CheckErr(err)
		}
	case "cri-reset":
		if len(os.Args) != 2 {
			fmt.Fprintln(os.Stderr, "usage: kube cri-reset unix:///path/to/cri.sock")
			os.Exit(2)
		}
		if err := criReset(os.Args[1]); err != nil {
			fmt.Fprintf(os.Stderr, "cri-reset: %v\n", err)
			os.Exit(1)
		}
	}
}

func known(name string) bool {
	for _, c := range components {
		if c == name {
			return true
		}
	}
	return false
}

// criReset stops and removes every pod sandbox (and so every container) of
// the CRI runtime at endpoint. StopPodSandbox is what makes the runtime call
// the CNI plugins' DEL, which removes the pod's veth, IP lease and iptables
// rules; killing the runtime instead would leave them behind.
func criReset(endpoint string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	rt := runtimeapi.NewRuntimeServiceClient(conn)
	list, err := rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		return fmt.Errorf("list pod sandboxes: %w", err)
	}
	var failed error
	for _, s := range list.Items {
		if _, err := rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: s.Id}); err != nil {
			failed = fmt.Errorf("stop %s/%s: %w", s.Metadata.GetNamespace(), s.Metadata.GetName(), err)
			continue
		}
		if _, err := rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: s.Id}); err != nil {
			failed = fmt.Errorf("remove %s/%s: %w", s.Metadata.GetNamespace(), s.Metadata.GetName(), err)
		}
	}
	return failed
}

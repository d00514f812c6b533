module goneat-deploy.test/dockerfile

go 1.19

require github.com/moby/buildkit v0.11.6

require (
	github.com/containerd/typeurl v1.0.2 // indirect
	github.com/gogo/protobuf v1.3.2 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	google.golang.org/protobuf v1.28.1 // indirect
)

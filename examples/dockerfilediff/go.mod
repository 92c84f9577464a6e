module github.com/buildlog/buildlog/examples/dockerfilediff

go 1.26.8

require (
	github.com/buildlog/buildlog v0.0.0-00010101000000-000000000000
	github.com/google/go-cmp v0.7.0
	github.com/moby/buildkit v0.34.2
)

require (
	github.com/containerd/typeurl/v2 v2.3.0 // indirect
	github.com/dlclark/regexp2/v2 v2.13.0 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	github.com/planetscale/vtprotobuf v0.6.1-0.20240319094008-0393e58bdf10 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

replace github.com/buildlog/buildlog => ../..

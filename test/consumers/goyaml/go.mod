module goneat-deploy.test/goyaml

go 1.19

require (
	gopkg.in/yaml.v3 v3.0.1
	sigs.k8s.io/yaml v1.4.0
)

// Command goyaml reads YAML files the way Go consumers of goneat-deploy's
// output do, for the tests (test/helpers/consumers.ts builds it):
//
//   - gopkg.in/yaml.v3, the YAML 1.2-style reader compose v2 (compose-go) uses;
//   - sigs.k8s.io/yaml, which kubectl uses: YAML to JSON through its fork of
//     go-yaml v2, a YAML 1.1 reader (y, yes, on are booleans there).
//
// It prints one JSON array: per file, the documents as yaml.v3 decodes them
// into interface{} and as sigs.k8s.io/yaml converts the first document, or the
// error each reported.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	yamlv3 "gopkg.in/yaml.v3"
	k8syaml "sigs.k8s.io/yaml"
)

type result struct {
	File     string            `json:"file"`
	V3       []json.RawMessage `json:"v3"`
	V3Error  string            `json:"v3Error,omitempty"`
	K8s      json.RawMessage   `json:"k8s,omitempty"`
	K8sError string            `json:"k8sError,omitempty"`
}

func main() {
	out := []result{}
	for _, f := range os.Args[1:] {
		r := result{File: f, V3: []json.RawMessage{}}
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		dec := yamlv3.NewDecoder(bytes.NewReader(data))
		for {
			var v interface{}
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				r.V3Error = err.Error()
				break
			}
			// A map with a key that is not a string (a YAML 1.1 boolean key) cannot be JSON: that is an error too.
			j, err := json.Marshal(v)
			if err != nil {
				r.V3Error = "as JSON: " + err.Error()
				break
			}
			r.V3 = append(r.V3, j)
		}
		if j, err := k8syaml.YAMLToJSON(data); err != nil {
			r.K8sError = err.Error()
		} else {
			r.K8s = j
		}
		out = append(out, r)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// Command dockerfile reads Dockerfiles the way `docker build` does, for the
// tests (test/helpers/consumers.ts builds it): BuildKit's own Dockerfile parser
// (github.com/moby/buildkit/frontend/dockerfile/parser, what the Engine's
// builders parse with) splits each instruction into its words, then every word
// of an instruction that is not in JSON (exec) form goes through BuildKit's word
// expansion (frontend/dockerfile/shell Lex.ProcessWord: quotes, backslash
// escapes, $VAR and ${VAR}), as the builder does for ENV, LABEL, USER, WORKDIR,
// EXPOSE and STOPSIGNAL — with no variable set, so a value that reads one comes
// out changed. JSON-form ENTRYPOINT/CMD words are taken as they are (the
// builder does not expand them).
//
// It prints one JSON array: per file, its instructions (the name as written,
// whether in JSON form, the words as the builder holds them) or the error.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

type instruction struct {
	Cmd   string   `json:"cmd"`
	JSON  bool     `json:"json"`
	Words []string `json:"words"`
	Error string   `json:"error,omitempty"`
}

type result struct {
	File         string        `json:"file"`
	Instructions []instruction `json:"instructions"`
	Error        string        `json:"error,omitempty"`
}

func main() {
	lex := shell.NewLex('\\')
	out := []result{}
	for _, name := range os.Args[1:] {
		r := result{File: name, Instructions: []instruction{}}
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		parsed, err := parser.Parse(f)
		f.Close()
		if err != nil {
			r.Error = err.Error()
			out = append(out, r)
			continue
		}
		for _, n := range parsed.AST.Children {
			in := instruction{Cmd: n.Value, JSON: n.Attributes["json"], Words: []string{}}
			for w := n.Next; w != nil; w = w.Next {
				if in.JSON {
					in.Words = append(in.Words, w.Value)
					continue
				}
				v, err := lex.ProcessWord(w.Value, []string{})
				if err != nil && in.Error == "" {
					in.Error = err.Error()
				}
				in.Words = append(in.Words, v)
			}
			r.Instructions = append(r.Instructions, in)
		}
		out = append(out, r)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

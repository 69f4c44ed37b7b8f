// kstatus-check prints the kstatus verdict (the status Flux and kpt wait on) of each object in a
// JSON array read from stdin, as a JSON array of {"status", "message"} in the same order.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type verdict struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

func main() {
	var objects []json.RawMessage
	if err := json.NewDecoder(os.Stdin).Decode(&objects); err != nil {
		fmt.Fprintf(os.Stderr, "kstatus-check: stdin must be a JSON array of Kubernetes objects: %v\n", err)
		os.Exit(2)
	}
	verdicts := make([]verdict, 0, len(objects))
	for i, raw := range objects {
		// Unstructured's own decoding keeps integers int64, as kstatus reads generations.
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(raw); err != nil {
			fmt.Fprintf(os.Stderr, "kstatus-check: object %d: %v\n", i, err)
			os.Exit(2)
		}
		result, err := status.Compute(u)
		if err != nil {
			fmt.Fprintf(os.Stderr, "kstatus-check: object %d (%s %s): %v\n", i, u.GetKind(), u.GetName(), err)
			os.Exit(1)
		}
		verdicts = append(verdicts, verdict{Status: string(result.Status), Message: result.Message})
	}
	if err := json.NewEncoder(os.Stdout).Encode(verdicts); err != nil {
		fmt.Fprintf(os.Stderr, "kstatus-check: %v\n", err)
		os.Exit(1)
	}
}

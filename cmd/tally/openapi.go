package main

import (
	"github.com/spf13/cobra"
	"github.com/tallyhq/tally/api"
)

// openapiCmd prints the OpenAPI document the server publishes at
// /openapi.json, without a database (CI lints it).
func openapiCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "openapi",
		Short: "print the OpenAPI 3.1 document of the HTTP API (as served at /openapi.json)",
		Args:  args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			doc, err := api.New(&api.Services{}, api.Config{}, nil).OpenAPI()
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(append(doc, '\n'))
			return err
		},
	}
}

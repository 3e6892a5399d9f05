package main

import (
	"context"
	"fmt"
)

func demo(ctx context.Context, args []string) error {
	return fmt.Errorf("demo: not yet written")
}

package advisor

import (
	"context"
	"sync"
)

// eachOf applies fn to every item, up to workers at a time (at least one),
// and returns the results in the items' order; the first error (in item
// order) wins, and once one fails the items not started yet are skipped.
func eachOf[T, R any](ctx context.Context, workers int, items []T, fn func(context.Context, T) (R, error)) ([]R, error) {
	out := make([]R, len(items))
	errs := make([]error, len(items))
	if workers <= 1 || len(items) <= 1 {
		for i, it := range items {
			r, err := fn(ctx, it)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = fn(ctx, items[i])
				if errs[i] != nil {
					cancel()
				}
			}
		}()
	}
feed:
	for i := range items {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := parent.Err(); err != nil { // items were skipped
		return nil, err
	}
	return out, nil
}

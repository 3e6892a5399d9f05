package scenario

import "math/big"

// mulDiv returns floor(a×b/c) without overflow.
func mulDiv(a, b, c int64) int64 {
	if c == 0 {
		return 0
	}
	x := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	q := new(big.Int)
	m := new(big.Int)
	q.DivMod(x, big.NewInt(c), m) // Euclidean: floor for positive c
	return q.Int64()
}

// Package arch holds the test of the layering of Tally's packages: which
// package may import which (see arch_test.go for the layer table). It has no
// code of its own.
package arch

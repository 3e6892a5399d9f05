// Package ui is the page kit the portal and the console share: the base
// layout and its stylesheet, template functions (money in a currency and
// locale, dates in a zone, quantities), server-rendered SVG charts, session
// cookies, CSRF tokens, error pages and security headers.
//
// It knows no billing rule: pages get their numbers from the domain
// services and only format them here.
package ui

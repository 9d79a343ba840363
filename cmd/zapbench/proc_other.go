//go:build !linux

package main

import "syscall"

// childAttrs: zapbench reads /proc and is meant for Linux; elsewhere zapgate
// simply runs as an ordinary child.
func childAttrs() *syscall.SysProcAttr { return nil }

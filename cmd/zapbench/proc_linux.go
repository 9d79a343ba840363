package main

import "syscall"

// childAttrs puts zapgate in its own process group, so a Ctrl-C in the
// terminal reaches only zapbench, which then stops zapgate in order; and
// asks the kernel to stop zapgate should zapbench die without cleaning up.
func childAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

#pragma once
// The process's start-up environment (torch-free, so that both programs'
// main() can call it before anything else).
namespace cgpgan {

// OpenMP's wait policy (issue 24 item 7). libgomp reads OMP_WAIT_POLICY once,
// when it is loaded, before main(). By default a thread that reaches a
// barrier first spins for a while before it sleeps; with two training threads
// on two cores and another process busy on one of them, the spinning thread
// takes the time slices its partner needs, and every parallel region waits
// out a whole slice (measured: mnist-cpu at 0.08 steps/s instead of 3.3 with
// one thread). A passive policy makes waiting threads sleep at once.
//
// Unless the user set OMP_WAIT_POLICY or GOMP_SPINCOUNT (their choice wins),
// this sets OMP_WAIT_POLICY=PASSIVE and re-executes the program once with the
// same arguments (/proc/self/exe), so libgomp starts with it. Returns only
// when nothing had to change or the re-exec failed (then the run goes on with
// the default policy). Call it first in main().
void preferPassiveOpenMpWait(char** argv);

} // namespace cgpgan

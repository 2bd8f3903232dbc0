/*
 * testpoint.h - named points where the reliability suite
 * (tests/reliability/) stops a run dead, as kill -9, an OOM kill or a
 * crashed appliance would, to prove that every file is then old or new,
 * no temporary is left, and that undo or a re-run recovers.
 *
 * IMPRINT_TEST_KILL=NAME[#N][@appliance|@stop] acts at the Nth time
 * (default the first) the run passes point NAME: it kills imprint itself
 * with SIGKILL (nothing cleans up, no atexit, no signal handler); with
 * "@appliance" it kills the libguestfs appliance (qemu) and the run goes
 * on to meet the failure; with "@stop" imprint stops itself (SIGSTOP)
 * until the suite sends SIGCONT, so that a second command runs at that
 * very point.  Unset, a point costs one branch.  Points, in the
 * order a run meets them: "launched", "surveyed", "replayed" (a journal
 * a survey left alone replayed, only then), "recorded" (the undo
 * record saved), "host-staged", "guest-write" (after each guest file
 * renamed, removed or linked), "guest-flushed", "host-commit" (after
 * each host file renamed into place).  undo meets the same points from
 * "launched" on, but "surveyed" and "recorded".
 */
#ifndef IMPRINT_TESTPOINT_H
#define IMPRINT_TESTPOINT_H

/* The run passes point name. */
void	testpoint(const char *name);

/*
 * How to kill the appliance at an "@appliance" point: fn(arg), set by
 * the guest module while an appliance runs, NULL when none does.
 */
void	testpoint_appliance(void (*fn)(void *), void *arg);

#endif

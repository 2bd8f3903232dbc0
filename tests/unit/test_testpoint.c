/*
 * Unit tests for src/testpoint.c, the reliability suite's kill switch:
 * IMPRINT_TEST_KILL=NAME[#N][@appliance|@stop] kills the process at the
 * Nth pass of point NAME and at no other, "@appliance" calls the
 * registered killer instead and goes on, "@stop" stops the process until
 * SIGCONT, and a malformed value arms nothing.  Each
 * case runs in a child, since the switch is read once per process.
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "testpoint.h"
#include "unit.h"

static int killed;

static void
fake_kill(void *arg)
{
	killed += *(int *)arg;
}

/*
 * In a child with IMPRINT_TEST_KILL=spec: pass "a", "b", "a", "a" (with
 * an appliance killer that adds 10 to the exit code per call), exit with
 * 100 + the number of points passed before the end.  Returns the wait
 * status.
 */
static int
child(const char *spec)
{
	static const char *pts[] = { "a", "b", "a", "a" };
	int st, i, ten = 10;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		if (spec)
			setenv("IMPRINT_TEST_KILL", spec, 1);
		else
			unsetenv("IMPRINT_TEST_KILL");
		testpoint_appliance(fake_kill, &ten);
		for (i = 0; i < 4; i++)
			testpoint(pts[i]);
		_exit(100 + killed);
	}
	if (pid == -1 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static int
exit_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
kill_signal(int st)
{
	return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

static void
test_kill(void)
{
	CHECK_INT(exit_code(child(NULL)), 100);
	CHECK_INT(exit_code(child("")), 100);
	CHECK_INT(kill_signal(child("a")), SIGKILL);
	CHECK_INT(kill_signal(child("b")), SIGKILL);
	CHECK_INT(kill_signal(child("a#3")), SIGKILL);
	/* a fourth "a" never comes; an unknown point never matches */
	CHECK_INT(exit_code(child("a#4")), 100);
	CHECK_INT(exit_code(child("c")), 100);
	CHECK_INT(exit_code(child("ab")), 100);
}

static void
test_appliance(void)
{
	/* the killer runs once, at the named pass, and the run goes on */
	CHECK_INT(exit_code(child("a@appliance")), 110);
	CHECK_INT(exit_code(child("a#2@appliance")), 110);
	CHECK_INT(exit_code(child("b#2@appliance")), 100);
}

/* "@stop": stopped at the named pass, and on after SIGCONT */
static void
test_stop(void)
{
	int st, ten = 10;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		setenv("IMPRINT_TEST_KILL", "b@stop", 1);
		testpoint_appliance(fake_kill, &ten);
		testpoint("a");
		testpoint("b");
		_exit(100 + killed);
	}
	CHECK_INT(waitpid(pid, &st, WUNTRACED), pid);
	CHECK(WIFSTOPPED(st));
	CHECK_INT(kill(pid, SIGCONT), 0);
	CHECK_INT(waitpid(pid, &st, 0), pid);
	CHECK_INT(exit_code(st), 100);
}

static void
test_malformed(void)
{
	static const char *bad[] = { "#2", "a#", "a#0", "a#x", "a#2#3",
	    "a@qemu", "a@", "@appliance", "a@stop@appliance" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(exit_code(child(bad[i])), 100);
}

int
main(void)
{
	test_kill();
	test_appliance();
	test_stop();
	test_malformed();
	return unit_done();
}

/*
 * cmds.h - the subcommands main.c dispatches to.
 *
 * Each cmd_X(argc, argv) gets argv[0] == "X" and parses its own options
 * with getopt_long (main.c resets optind first).  It returns the process
 * exit status: 0 success, 1 failure or inconsistency, 2 usage error or
 * an input that cannot be read (imprint(1), EXIT STATUS).  Each exports
 * its long option table (terminated by a zero entry) so that `imprint
 * --long-options` can list every option for the docs test, and its help
 * text, whose first paragraph (the synopsis) `imprint --help` repeats.
 */
#ifndef IMPRINT_CMDS_H
#define IMPRINT_CMDS_H

#include <getopt.h>

int	cmd_alive(int, char **);
int	cmd_apply(int, char **);
int	cmd_clone(int, char **);
int	cmd_inspect(int, char **);
int	cmd_scan(int, char **);
int	cmd_undo(int, char **);
int	cmd_vmcfg(int, char **);

extern const struct option alive_long_options[];
extern const struct option apply_long_options[];
extern const struct option clone_long_options[];
extern const struct option inspect_long_options[];
extern const struct option scan_long_options[];
extern const struct option undo_long_options[];
extern const struct option vmcfg_long_options[];

extern const char apply_usage[];
extern const char clone_usage[];
extern const char inspect_usage[];
extern const char undo_usage[];
extern const char vmcfg_usage[];
extern const char scan_usage[];

#endif

#!/bin/bash
# tests/t-reliability.sh - the reliability suite (tests/reliability/run.sh)
# in make check: hostile inputs, kills at every point of a run, races and
# unwritable places, with its report.
exec bash "$(dirname "$0")/reliability/run.sh" "$@"

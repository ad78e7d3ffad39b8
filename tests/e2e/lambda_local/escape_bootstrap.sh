#!/usr/bin/env bash
# For the e2e suite: a runtime that leaves a process in a session of its own
# holding its stdout (out of reach of the process-group kill), then dies in
# init. lambda-local must still report the failure promptly. The stray
# process ends by itself after 5 s.
setsid sleep 5 &
echo "leaving a process behind"
exit 3

#ifndef IT_FREEZE_H
#define IT_FREEZE_H
/* Hung dependencies for the hardening suites: a server process frozen with
 * SIGSTOP (and always resumed: a watchdog process sends SIGCONT after at most
 * max_ms even if the test dies), and a TCP listener that never accepts or
 * answers (connects succeed through the backlog, then nothing). */
#include <stdint.h>
#include <sys/types.h>

/* SIGSTOPs pid; it_thaw_all() or the watchdog (after max_ms) resumes it. */
void it_freeze(pid_t pid, unsigned max_ms);
/* SIGCONTs every frozen pid and ends the watchdogs. Safe to call twice. */
void it_thaw_all(void);
/* The parent of a backend: the postmaster. */
pid_t it_parent_pid(pid_t pid);
/* A listening socket on 127.0.0.1 that nobody accepts on; *port its port.
 * Returns the fd (close it to make the port refuse). */
int it_silent_listener(int *port);
int64_t it_now_ms(void);

#endif

"""Monthly returns: the official template and its layouts, reading and checking a return, writing one back, reminders and notices, reference data, who may do what, read-side selectors. See ADR 20."""

"""The telephonist panel (/panel): presence, the current call, reason codes, messages, the
department directory, the callback worklist and runtime closures, over a JSON API."""

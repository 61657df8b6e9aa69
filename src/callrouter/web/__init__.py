"""The HTTP server inside `callrouter run`: token auth, the panel, /metrics, the wallboard."""

"""KPI reports from the call log: `model` (what a report holds), `compute` (from the log),
`formats` (RENDERERS: json, csv, text), `cli` (the `callrouter report` command)."""

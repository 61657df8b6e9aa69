"""The HTML report's stylesheet: readable on screen, printable on A4 in black and white."""

STYLE = """
:root { --ink: #1b1f24; --muted: #5b6470; --line: #d5d9de; --good: #1a7f37; --bad: #c62828;
        --offered: #9bb7d4; --within: #1f5f99; --sl: #1f5f99; --target: #c62828; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       margin: 0; background: #f4f5f7; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 8px; }
h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 2px solid var(--line);
     padding-bottom: 4px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0;
           color: var(--muted); }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 10px; margin-top: 18px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 10px; color: var(--muted); }
.tile .big { display: block; font-size: 28px; font-weight: 700; color: var(--ink); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td { white-space: nowrap; }
td:first-child { white-space: normal; }
#scopes table { font-size: 13px; }
#scopes th, #scopes td { padding: 4px 5px; }
#targets td, #targets th, #downtime td, #downtime th, #transfers td, #overflows td
  { text-align: left; white-space: normal; }
thead th { background: #eef1f4; font-weight: 600; }
.badge { display: inline-block; min-width: 64px; text-align: center; border-radius: 4px;
         padding: 1px 6px; font-weight: 700; color: #fff; }
.badge.met { background: var(--good); }
.badge.met::before { content: "✔ "; }
.badge.missed { background: var(--bad); }
.badge.missed::before { content: "✘ "; }
.badge.none { background: var(--muted); }
svg.chart { width: 100%; height: auto; font-size: 12px; }
svg .axis { stroke: var(--ink); }
svg .grid { stroke: var(--line); stroke-dasharray: 2 3; }
svg .tick { fill: var(--muted); }
svg rect.offered { fill: var(--offered); }
svg rect.within, svg circle.within { fill: var(--within); }
svg .line { fill: none; stroke-width: 2.5; }
svg polyline.within { stroke: var(--within); }
svg polyline.sl { stroke: var(--sl); }
svg circle.sl, svg rect.sl { fill: var(--sl); }
svg .target { stroke: var(--target); stroke-width: 2; stroke-dasharray: 8 5; }
svg .target-label { fill: var(--target); font-weight: 700; }
.empty { color: var(--muted); font-style: italic; }
@media print {
  body { background: #fff; font-size: 11px; }
  main { max-width: none; padding: 0; }
  section { break-inside: avoid; }
  .badge { color: var(--ink); border: 1px solid var(--ink); background: none !important; }
}
"""

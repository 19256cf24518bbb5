import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}
header a.nav{font-weight:400;opacity:.85}
#live{margin-left:auto;font-size:12px;opacity:.8}
main{padding:16px;max-width:1400px;margin:0 auto}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{padding:4px 8px;border-bottom:1px solid #e3e6ea;text-align:left;white-space:nowrap}
td.wrap,div.wrap{white-space:normal;max-width:380px}
.events li{margin:6px 0;padding:4px 0;border-bottom:1px solid #eef}
tr.state-needs_attention{background:#fff1e0}tr.state-failed{background:#fde8e8}
.badge{display:inline-block;padding:1px 6px;border-radius:8px;font-size:12px;background:#e3e6ea}
.badge.needs_attention{background:#ff9f1c;color:#000}.badge.failed{background:#d7263d;color:#fff}
.badge.running{background:#2e86ab;color:#fff}.badge.completed{background:#3bb273;color:#fff}
.badge.recovering{background:#7768ae;color:#fff}.badge.unreadable{background:#5c0a14;color:#fff}
.badge.rccl-socket{background:#f4d35e;color:#000}
section{background:#fff;margin:12px 0;padding:8px 12px;border:1px solid #e3e6ea}
h2{font-size:15px;margin:4px 0 8px}
pre{background:#f0f2f5;padding:6px;overflow:auto;max-height:240px;margin:4px 0}
.empty{padding:32px;text-align:center;background:#fff;border:1px dashed #b8c0cc}
.charts{display:grid;grid-template-columns:1fr;gap:8px}
.actions button{margin-right:6px}
.muted{color:#6b7480}
#filters{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:center;margin:0 0 8px}
#filters input[type=search]{width:14em;max-width:100%}
.triage-head{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:flex-start;margin:8px 0}
#state-counts{display:flex;flex-wrap:wrap;gap:6px}
.count-chip{text-decoration:none;color:inherit;padding:2px 6px;border:1px solid #e3e6ea;border-radius:10px;background:#fff}
.count-chip.on{border-color:#1d2430}
#clusters{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:6px}
#clusters li{padding:2px 8px;border-radius:6px;background:#e8f5ec}
#clusters li.stale,#clusters li.failing{background:#fde8e8}
tr.group-head th{background:#eef1f5;font-weight:600}
.progress{height:4px;background:#eef;margin-top:2px}.progress div{height:4px;background:#2e86ab}
svg.spark{vertical-align:middle}
.cause{font-size:12px;max-width:320px}
a.runbook{font-size:12px}
.status .facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:6px 16px;margin:6px 0}
.fact .label{display:block;font-size:11px;color:#6b7480;text-transform:uppercase;letter-spacing:.03em}
.fact .value{font-size:16px;font-weight:600}
.status .attention{background:#fff1e0;border-left:4px solid #ff9f1c;padding:4px 8px;margin:6px 0}
.since{font-size:12px;font-weight:normal}
ol.incidents{list-style:none;padding:0;margin:0}
.incident{padding:6px 0;border-bottom:1px solid #eef}.incident.new{background:#fffbe6}
.incident .chain{display:flex;flex-wrap:wrap;gap:4px;align-items:baseline}
.incident .step{padding:1px 6px;border-radius:4px;background:#f0f2f5}
.incident .failure{background:#fde8e8}.incident .recovery{background:#e8f5ec}.incident .pending{background:#fff1e0}
.incident .cost{font-size:12px;color:#6b7480}
.run-grid{display:grid;grid-template-columns:minmax(0,1fr) 300px;gap:12px;align-items:start}
.run-side{position:sticky;top:8px}
.action-row{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:6px 0}
.action-row input[type=number]{width:6em}.action-row input[type=text]{width:8em}
dialog{max-width:min(480px,92vw)}button.danger{background:#d7263d;color:#fff;border:0;padding:4px 10px}
.runbook-text{white-space:pre-wrap;max-height:none;background:#fff}
.table-wrap{overflow-x:auto}
@media (max-width:1000px){.run-grid{grid-template-columns:minmax(0,1fr)}.run-side{position:static}}
@media (max-width:760px){
main{padding:8px}
td.wrap,div.wrap{max-width:none}
table.runs thead{display:none}
table.runs,table.runs tbody,table.runs tr,table.runs td,table.runs th{display:block;width:auto}
table.runs tr{border-bottom:2px solid #e3e6ea;padding:4px 0}
table.runs td{border:0;white-space:normal;padding:2px 8px}
table.runs td[data-label]::before{content:attr(data-label) ": ";color:#6b7480;font-size:12px}
section table{display:block;overflow-x:auto}
pre{white-space:pre-wrap;word-break:break-all}
.wrap{overflow-wrap:anywhere}
}
`;

export interface LayoutInput {
  title: string;
  body: SafeHtml;
  scripts: string[];
  styles?: string[];
}

export function renderLayout(input: LayoutInput): string {
  const doc = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>${input.title}</title>
        ${(input.styles ?? []).map((href) => html`<link rel="stylesheet" href="${href}" />`)}
        <style>
          ${STYLE}
        </style>
      </head>
      <body>
        <header>
          <a href="/">neoxctl</a><span>${input.title}</span
          ><a href="/silences" class="nav" data-nav="silences">silences</a
          ><span id="live" data-live="connecting">connecting…</span>
        </header>
        <main>${input.body}</main>
        ${input.scripts.map((src) => html`<script src="${src}"></script>`)}
      </body>
    </html>`;
  return doc.value;
}

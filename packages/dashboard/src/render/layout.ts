import type { SafeHtml } from "./html.ts";
import { html } from "./html.ts";

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}
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
          ><span id="live" data-live="connecting">connecting…</span>
        </header>
        <main>${input.body}</main>
        ${input.scripts.map((src) => html`<script src="${src}"></script>`)}
      </body>
    </html>`;
  return doc.value;
}

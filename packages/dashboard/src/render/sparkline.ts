import { SafeHtml } from "./html.ts";

/**
 * A loss sparkline as inline SVG, drawn on the server: no script, no external asset. Only numbers
 * go into the markup, each formatted by toFixed, so nothing from the store reaches it as text.
 */
export function renderSparkline(values: readonly number[], width = 120, height = 24): SafeHtml {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return new SafeHtml(`<span class="muted spark-none">—</span>`);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const span = hi - lo || 1;
  const pad = 2;
  const pts = finite.map((v, i) => {
    const x = pad + (i * (width - 2 * pad)) / (finite.length - 1);
    const y = pad + (1 - (v - lo) / span) * (height - 2 * pad);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  const last = pts[pts.length - 1] as string;
  const [lx, ly] = last.split(",");
  return new SafeHtml(
    `<svg class="spark" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="loss trend" data-points="${finite.length}">` +
      `<polyline fill="none" stroke="#2e86ab" stroke-width="1.5" points="${pts.join(" ")}"/>` +
      `<circle cx="${lx}" cy="${ly}" r="2" fill="#2e86ab"/></svg>`
  );
}

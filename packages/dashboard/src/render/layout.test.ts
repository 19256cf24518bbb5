import { describe, expect, it } from "vitest";
import { html } from "./html.ts";
import { renderLayout } from "./layout.ts";

describe("the page layout", () => {
  it("links the silences page from every page's header, and escapes the title", () => {
    const page = renderLayout({ title: "<run>", body: html`<p>x</p>`, scripts: [] });
    expect(page).toMatch(/<header>[\s\S]*href="\/silences"[\s\S]*<\/header>/);
    expect(page).toContain("&lt;run&gt;");
    expect(page).not.toContain("<run>");
  });
});

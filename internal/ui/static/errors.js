// Filters the error catalog index at /errors as the person types. The
// server applies the same rule for ?q=, so the page works without this
// script; keep the two in step (internal/errorpages, matches).
//
// Rule: the query is split on white space, and a row is shown when every
// term occurs in its data-search text (already lower case).
"use strict";

(() => {
  const input = document.getElementById("error-search");
  const form = document.getElementById("error-search-form");
  const count = document.getElementById("match-count");
  const empty = document.getElementById("no-matches");
  if (!input || !form || !count || !empty) {
    return;
  }
  const rows = Array.from(document.querySelectorAll("[data-search]"));
  const groups = Array.from(document.querySelectorAll("[data-group]"));
  const total = Number(count.dataset.total);

  const terms = (q) => q.toLowerCase().split(/\s+/).filter((t) => t !== "");

  const apply = () => {
    const want = terms(input.value);
    const names = new Set();
    let shown = 0;
    for (const row of rows) {
      const text = row.dataset.search;
      const match = want.every((t) => text.includes(t));
      row.hidden = !match;
      if (match) {
        shown++;
        if (row.dataset.name) {
          names.add(row.dataset.name);
        }
      }
    }
    for (const g of groups) {
      g.hidden = !g.querySelector("[data-search]:not([hidden])");
    }
    count.textContent = want.length === 0 ? `${total} entries` : `${names.size} of ${total} entries match`;
    empty.hidden = shown > 0;
    // Keep the address shareable: it reloads to the same filtered view.
    const q = input.value.trim();
    const url = new URL(window.location.href);
    if (q === "") {
      url.searchParams.delete("q");
    } else {
      url.searchParams.set("q", q);
    }
    window.history.replaceState(null, "", url);
  };

  // Keystrokes that arrive within one frame are filtered once: each pass
  // touches every row of a catalog of hundreds.
  let pending = false;
  input.addEventListener("input", () => {
    if (pending) {
      return;
    }
    pending = true;
    window.requestAnimationFrame(() => {
      pending = false;
      apply();
    });
  });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    apply();
  });
  document.documentElement.dataset.search = "ready";
  apply();
})();

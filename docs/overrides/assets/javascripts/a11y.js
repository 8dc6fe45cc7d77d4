// Accessible names Material's templates leave out (found by axe-core; see
// tests/test_a11y.py). The search dialog is outside the part of the page that
// instant navigation swaps, so naming it once per load is enough.
const searchDialog = document.querySelector(".md-search[role=dialog]");
const searchInput = document.querySelector(".md-search__input");
if (searchDialog && searchInput && !searchDialog.hasAttribute("aria-label")) {
  searchDialog.setAttribute("aria-label", searchInput.getAttribute("aria-label"));
}

// A box that scrolls sideways (a wide table, a long code line or formula on a
// phone) must be reachable by keyboard, or its hidden part cannot be read
// without a mouse (axe: scrollable-region-focusable). Material makes them
// scrollable but not focusable. Checked after each page swap, at its width.
const SCROLLERS = ".md-typeset__scrollwrap, .md-typeset pre > code, .md-typeset .arithmatex";
document$.subscribe(() => {
  // All widths first, then the attributes: reading after a write would lay
  // the page out again for every box.
  const boxes = [...document.querySelectorAll(SCROLLERS)].filter(
    (box) => !box.hasAttribute("tabindex") && box.scrollWidth > box.clientWidth,
  );
  for (const box of boxes) box.setAttribute("tabindex", "0");
});

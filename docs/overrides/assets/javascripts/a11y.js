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
// scrollable but not focusable. Each box is measured when the browser has
// laid it out anyway: a ResizeObserver reports it after layout, and again
// when its width changes (a phone turned sideways). Measuring all of them from
// a script forced that layout early, in a task of its own (0.1-0.2 s of a
// phone's start-up on the home page, Lighthouse at 2.45x CPU).
// A box the browser has not laid out yet (off screen, extra.css: the box is
// in a skipped block, or is one whose content is skipped) is left alone:
// measuring it would lay it out. It is measured once it is drawn.
const shown = (el) => !el || el.checkVisibility({ contentVisibilityAuto: true });
const drawn = (box) => shown(box) && shown(box.firstElementChild);
const mark = (boxes) => {
  // All widths first, then the attributes: a write between two reads would
  // make the second read restyle the page.
  const wide = boxes.filter(
    (box) => !box.hasAttribute("tabindex") && drawn(box) && box.scrollWidth > box.clientWidth,
  );
  for (const box of wide) box.setAttribute("tabindex", "0");
};
const scrollers = new ResizeObserver((entries) => mark(entries.map((entry) => entry.target)));
const SCROLLERS =
  ".md-typeset__scrollwrap, .md-typeset pre > code, .md-typeset :is(div.arithmatex, .arithmatex--long)";
document$.subscribe(() => {
  scrollers.disconnect(); // the previous page's boxes are gone after a swap
  for (const box of document.querySelectorAll(SCROLLERS)) scrollers.observe(box);
});
// A skipped block that is drawn may keep the size it was given: look at it,
// and at the boxes in it, then.
document.addEventListener(
  "contentvisibilityautostatechange",
  (event) => {
    if (event.skipped) return;
    const inside = [...event.target.querySelectorAll(SCROLLERS)];
    mark(event.target.matches(SCROLLERS) ? [event.target, ...inside] : inside);
  },
  true,
);

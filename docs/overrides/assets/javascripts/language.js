// Language selector that stays on the current page.
//
// Material's own "stay on page" looks the page up in the other language's
// sitemap, but picks the first alternate whose URL prefixes the link; with the
// default language at the root ("/") and English below it ("/en/"), "/" prefixes
// both, so it falls back to the home page. Every page exists in every language
// (the tests enforce it), so the counterpart is the same path under the other
// language's root. The question (heading) the reader is on is carried over by
// position: both languages ask the same questions in the same order. The one
// the reader is on is the last heading in the top third of the screen, read
// from the page rather than from the URL: Material's tracking of the hash
// lags behind scrolling, and measures headings before the blocks above them
// are drawn (extra.css skips laying out blocks off screen).

const HEADING_KEY = "dlkb.heading";
const headings = () => [...document.querySelectorAll("article h2[id], article h3[id]")];
const onScreen = () => {
  const all = headings();
  const past = all.findIndex((h) => h.getBoundingClientRect().top > innerHeight / 3);
  return (past < 0 ? all.length : past) - 1;
};

// Resolve the selector's links once, against the page they were rendered for.
const roots = Object.fromEntries(
  [...document.querySelectorAll(".md-select__link[hreflang]")].map((link) => [
    link.hreflang,
    new URL(link.getAttribute("href"), location.href).href,
  ]),
);

document.addEventListener(
  "click",
  (event) => {
    const link = event.target.closest && event.target.closest(".md-select__link[hreflang]");
    const current = document.documentElement.lang;
    if (!link || !(link.hreflang in roots) || !(current in roots)) return;
    event.preventDefault();
    event.stopPropagation(); // keep Material's handler from sending us home
    const path = location.pathname.slice(new URL(roots[current]).pathname.length);
    const index = onScreen();
    if (index >= 0) sessionStorage.setItem(HEADING_KEY, String(index));
    location.assign(new URL(path, roots[link.hreflang]).href);
  },
  true,
);

document$.subscribe(() => {
  const index = sessionStorage.getItem(HEADING_KEY);
  if (index === null) return;
  sessionStorage.removeItem(HEADING_KEY);
  const heading = headings()[Number(index)];
  if (heading) location.hash = heading.id;
});

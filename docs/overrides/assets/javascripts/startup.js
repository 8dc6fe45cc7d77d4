// Material's start-up without whole-page restyles. Loaded before Material's
// bundle (docs/overrides/main.html), so these patches are in place when it
// starts. Each was found in a Chromium trace of the longest question page at
// phone size (~18,000 elements, most of them MathJax glyph boxes), where every
// whole-document restyle costs a phone about half a second or more.

// 1. URLs. Instant navigation makes each relative href and src absolute at
// start-up, and on every page it swaps in, by assigning it its own value
// (`el.href = el.href`), so links still resolve once the next page's URL is
// pushed. For a stylesheet <link> that write reloads the stylesheet and
// restyles and lays out the whole document (~1.7 s at 2.45x CPU on that page).
// Links and scripts are written root-relative (docs/hooks/startup.py): their
// meaning does not depend on the page's URL, so that self-assignment changes
// nothing and is skipped. Any other write goes through.
for (const [element, key] of [
  [HTMLLinkElement, "href"],
  [HTMLScriptElement, "src"],
]) {
  const url = Object.getOwnPropertyDescriptor(element.prototype, key);
  Object.defineProperty(element.prototype, key, {
    ...url,
    set(value) {
      const written = this.getAttribute(key) || "";
      const rooted = written.startsWith("/") && !written.startsWith("//");
      if (!(rooted && value === url.get.call(this))) url.set.call(this, value);
    },
  });
}

// 2. Colour palette. Material sets `data-md-color-switching` on <body> while it
// applies a palette, and removes it a task later. Its stylesheet turns every
// transition off below that attribute (`[data-md-color-switching] *`), so each
// set and each removal restyles the whole document: on a long question page
// (~18,000 elements, most of them MathJax glyph boxes) about 0.7 s of a phone's
// start-up (a Chromium trace at phone size). Material applies the palette once
// at start-up, when the colours are already those of the page and nothing can
// animate; only a reader's switch (a click or key on the toggle, or the
// system's scheme changing) needs the guard.
//
// Material also appends an empty <meta name="color-scheme"> and writes the
// scheme into it at start-up. Each of the two changes the document's colour
// scheme and restyles the whole document (Chromium: "PlatformColorChange",
// ~0.6 s on that page; the append alone ~0.3 s on the glossary at 2.75x CPU).
// The page's HTML has one already (main.html: the default scheme, light), the
// first in the head, so it is the one that counts: Material's meta is not
// appended, and its writes go to the page's meta, only when they change it.

(() => {
  const page = document.querySelector('meta[name="color-scheme"]');
  const head = document.head;
  const append = head.appendChild;
  head.appendChild = function (node) {
    const empty = node instanceof HTMLMetaElement && node.name === "color-scheme" && !node.content;
    return empty && page ? node : append.call(this, node);
  };
  const content = Object.getOwnPropertyDescriptor(HTMLMetaElement.prototype, "content");
  Object.defineProperty(HTMLMetaElement.prototype, "content", {
    ...content,
    set(value) {
      if (this.name !== "color-scheme" || !page) return content.set.call(this, value);
      if (page.content !== value) content.set.call(page, value);
    },
  });
  // Instant navigation appends the next page's meta when ours no longer
  // matches it (a dark scheme): ours comes first and counts, so drop those.
  new MutationObserver(() => {
    for (const meta of document.head.querySelectorAll('meta[name="color-scheme"][content]')) {
      if (meta !== page) meta.remove();
    }
  }).observe(document.head, { childList: true });

  const body = document.body;
  const setAttribute = body.setAttribute;
  let switching = false;
  document.addEventListener(
    "change",
    (event) => {
      if (event.target.closest && event.target.closest("[data-md-component=palette]")) {
        switching = true;
      }
    },
    true,
  );
  matchMedia("(prefers-color-scheme: light)").addEventListener("change", () => {
    switching = true;
  });
  body.setAttribute = function (name, value) {
    if (name === "data-md-color-switching") {
      if (!switching) return;
      switching = false;
    }
    return setAttribute.call(this, name, value);
  };
})();

// 3. Tables. Material wraps every table without a class in its scroll box at
// start-up, and in every page it swaps in, by taking the table out of the page
// and putting it back inside the box: each table restyled and laid out again
// (~0.9 s on the longest page at 2.45x CPU). docs/hooks/startup.py writes that
// box, in Material's markup, at build time; Material finds its tables with
// this one selector, which from here on leaves out the tables already boxed.
(() => {
  const TABLES = "table:not([class])";
  const find = Element.prototype.querySelectorAll;
  Element.prototype.querySelectorAll = function (selectors) {
    const boxed = selectors === TABLES ? `${TABLES}:not(.md-typeset__table > table)` : selectors;
    return find.call(this, boxed);
  };
})();

// 4. The reader's place. Blocks of text off screen are not laid out, and
// count with an estimated height until they are drawn (extra.css). A place
// kept in pixels then lands where the estimates put it: the offset a reload
// or a step back restores, and the heading a link to a question scrolls to,
// which slides away as the blocks above it are drawn. So the place is kept
// as a block and an offset into it (in the history entry, beside Material's
// offset), and held there while the page settles: until the reader scrolls,
// taps or types, or for HOLD_MS.
(() => {
  const BLOCKS = [
    "article > :is(h1, h2, h3, p, ul, ol, dl, blockquote, figure, details, div)",
    "article > details[open] > :is(summary, p, ul, ol, dl, blockquote, figure, div)",
  ].join(", ");
  const HOLD_MS = 1500;
  const blocks = () => document.querySelectorAll(BLOCKS);

  // The block at the top of the screen and how far the screen is into it;
  // blocks are in page order, so a binary search reads ~10 of them.
  const readersPlace = () => {
    const all = blocks();
    if (!all.length || scrollY === 0) return null;
    let [low, high] = [0, all.length - 1];
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (all[middle].getBoundingClientRect().top <= 0) low = middle;
      else high = middle - 1;
    }
    return { block: low, offset: -all[low].getBoundingClientRect().top };
  };

  // Keep `element`'s top at `top` (px from the top of the screen), frame by
  // frame, until the reader moves or HOLD_MS has passed. While it is held,
  // that is the place history records, not a screen on the way there.
  let [holding, held] = [0, null];
  const hold = (element, top) => {
    const id = ++holding;
    const block = [...blocks()].indexOf(element);
    held = block < 0 ? null : { block, offset: -top };
    const until = performance.now() + HOLD_MS;
    const step = () => {
      if (id !== holding) return;
      if (!element.isConnected || performance.now() > until) {
        held = null;
        return;
      }
      const drift = Math.round(element.getBoundingClientRect().top - top);
      if (drift) scrollBy(0, drift);
      requestAnimationFrame(step);
    };
    step();
  };
  const letGo = () => {
    holding++;
    held = null;
  };
  for (const type of ["wheel", "touchstart", "pointerdown", "keydown"]) {
    addEventListener(type, letGo, { capture: true, passive: true });
  }

  const returnTo = (place) => {
    const block = blocks()[place.block];
    if (block) hold(block, -place.offset);
  };
  const target = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    return id ? document.getElementById(id) : null;
  };
  // The browser scrolls a target to its scroll margin (Material's, below its
  // header); an element the URL names only through pushState is not the
  // target yet (Material makes it so when it scrolls there).
  const showTarget = () => {
    const element = target();
    if (element && element.matches(":target")) {
      hold(element, parseFloat(getComputedStyle(element).scrollMarginTop));
    }
  };

  // Every history entry Material writes (its offset, and the tracked
  // question's hash) also gets the reader's place. Its offset and tracking
  // writes are debounced (100 and 250 ms after a scroll), so one can come
  // after a step back has made another page's entry current, while the page
  // shown is still the one scrolled: on a slow link, nearly always. Such a
  // write keeps the entry's place.
  const showsEntry = () => {
    const canonical = document.querySelector("link[rel=canonical]");
    return canonical && new URL(canonical.href).pathname === location.pathname;
  };
  const placeNow = () => {
    if (held) return held;
    if (showsEntry()) return readersPlace();
    return (history.state && history.state.place) || null;
  };
  const replaceState = History.prototype.replaceState;
  History.prototype.replaceState = function (state, ...rest) {
    const kept = state && typeof state === "object" ? { ...state, place: placeNow() } : state;
    return replaceState.call(this, kept, ...rest);
  };

  // Where to be once a page is drawn: back at the place of a history entry
  // seen before (a reload, a step back), else at the question the URL names.
  // The place is taken when the page is swapped in, before any write.
  const settle = () => {
    letGo();
    const place = history.state && history.state.place;
    held = place || null;
    requestAnimationFrame(() => (place ? returnTo(place) : showTarget()));
  };

  // Moves within the page before instant navigation's first. Material fetches
  // a page and swaps it in whenever the URL's path differs from the last one
  // it navigated to, and before its first navigation there is none: the first
  // link to a question on the same page, and the first step back within it,
  // fetched the page again and swapped it in for itself (~1.5 s of long tasks
  // at 6x CPU on the longest page; answers opened in quiz mode closed again).
  // Until then such a link is the browser's: a fragment navigation, which
  // scrolls to the question and fires hashchange (below: settle). A step
  // back within the page is this script's, as Material would do it.
  let navigated = false;
  const onThisPage = (url) =>
    url.origin === location.origin &&
    url.pathname === location.pathname &&
    url.search === location.search;
  // Before Material's handler on <body>, which would take the click.
  addEventListener(
    "click",
    (event) => {
      if (navigated || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = event.target instanceof Element && event.target.closest("a[href]");
      if (!link || link.target || !link.hash || !onThisPage(new URL(link.href))) return;
      event.stopPropagation();
      // The entry left keeps the offset, as Material's click writes it, and
      // the place; a step back puts the reader there, not the browser.
      history.replaceState({ ...history.state, x: scrollX, y: scrollY }, "");
      history.scrollRestoration = "manual";
    },
    true,
  );
  // Registered before Material's bundle runs, so it comes first.
  addEventListener("popstate", (event) => {
    if (navigated || !onThisPage(new URL(location.href))) return;
    event.stopImmediatePropagation();
    if (!(history.state && history.state.place)) scrollTo(0, (history.state && history.state.y) || 0);
    settle();
  });
  // The browser's own restored offset is replaced by the place.
  if (history.state && history.state.place) history.scrollRestoration = "manual";
  // Material's streams exist once its bundle has run, which is after this
  // script and before DOMContentLoaded: each page drawn (the first, and every
  // one instant navigation swaps in), and each move within the page shown (a
  // link to a question on it, a step back to one; Material handles those
  // without a hashchange). A move to another page waits for its swap.
  addEventListener("DOMContentLoaded", () => {
    document$.subscribe(settle);
    location$.subscribe((url) => {
      navigated = true;
      if (showsEntry() && url.pathname === location.pathname) settle();
    });
  });
  // A fragment navigation (above); a step back fires popstate first.
  addEventListener("hashchange", (event) => event.isTrusted && settle());
})();

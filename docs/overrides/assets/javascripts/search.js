// Search, set up before Material's bundle runs (docs/overrides/main.html puts
// this script right after Material's #__config and before the bundle).
//
// 1. The index is fetched when the reader opens search, not on every page.
//    Material requests search/search_index.json as soon as the bundle starts
//    (it defers only on file://). The zh index is ~1 MB; most readers never
//    search. Its XMLHttpRequest is held here until the search box gets focus
//    or the search toggle opens (click or tap on the search icon; the f, s and
//    / shortcuts focus the box), or the URL carries a shared query (?q=).
//    Material shows "initializing search" until the index is ready, as before.
// 2. The search worker is Material's, wrapped by workers/search-segment.js,
//    which segments Chinese queries the way the index was segmented.

(() => {
  const config = document.getElementById("__config");
  const data = JSON.parse(config.textContent);
  if (typeof data.search === "string") {
    const name = data.search.split("/").pop();
    data.search = data.search.replace(
      /[^/]+$/,
      `search-segment.js?worker=${encodeURIComponent(name)}`,
    );
    config.textContent = JSON.stringify(data);
  }

  const INDEX = /\/search\/search_index\.json$/;
  const held = [];
  let wanted = new URLSearchParams(location.search).has("q");
  const want = () => {
    if (wanted) return;
    wanted = true;
    for (const send of held.splice(0)) send();
  };

  const { open, send } = XMLHttpRequest.prototype;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.dlkbSearchIndex = INDEX.test(new URL(String(url), location.href).pathname);
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    if (this.dlkbSearchIndex && !wanted) {
      held.push(() => send.apply(this, args));
      return;
    }
    return send.apply(this, args);
  };

  document.addEventListener("focusin", (event) => {
    if (event.target.matches && event.target.matches("[data-md-component=search-query]")) want();
  });
  const toggle = document.getElementById("__search");
  if (toggle)
    toggle.addEventListener("change", () => {
      if (toggle.checked) want();
    });
})();

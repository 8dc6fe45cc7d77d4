// Accessible names Material's templates leave out (found by axe-core; see
// tests/test_a11y.py). The search dialog is outside the part of the page that
// instant navigation swaps, so naming it once per load is enough.
const searchDialog = document.querySelector(".md-search[role=dialog]");
const searchInput = document.querySelector(".md-search__input");
if (searchDialog && searchInput && !searchDialog.hasAttribute("aria-label")) {
  searchDialog.setAttribute("aria-label", searchInput.getAttribute("aria-label"));
}

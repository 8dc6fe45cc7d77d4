// Quiz mode: hide every answer on a page so readers can drill themselves.
// Answers are `details.answer` blocks (see README, "Writing a page"); in quiz
// mode they start closed and open one at a time with a click. The choice is
// remembered across pages and visits. The toggle is in the page's HTML
// (docs/hooks/quiz.py), with its two labels in the page's language.

const QUIZ_KEY = "dlkb.quiz";

function applyQuiz(button, on) {
  // Only where it changes: setting `open` restyles the whole answer, even to
  // the value it has, and a long page has dozens.
  for (const answer of document.querySelectorAll("details.answer")) {
    if (answer.open === on) answer.open = !on;
  }
  const label = on ? button.dataset.leave : button.dataset.enter;
  if (button.textContent !== label) button.textContent = label;
  button.setAttribute("aria-pressed", String(on));
}

document$.subscribe(() => {
  const button = document.querySelector(".quiz-toggle");
  if (!button) return;
  button.addEventListener("click", () => {
    const on = localStorage.getItem(QUIZ_KEY) !== "1";
    localStorage.setItem(QUIZ_KEY, on ? "1" : "0");
    applyQuiz(button, on);
  });
  applyQuiz(button, localStorage.getItem(QUIZ_KEY) === "1");
});

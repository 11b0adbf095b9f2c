// Progressive enhancement only: every control works without this file.
import { initAll } from "./build/govuk-frontend.min.js";

initAll();

// htmx sends the CSRF token with every request it makes, read from the page's meta tag.
document.body.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) {
    event.detail.headers["X-CSRFToken"] = token.content;
  }
});

// After htmx swaps in a chat reply, keep the question box ready for the next question.
document.body.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id === "chat-transcript") {
    const input = document.getElementById("question");
    if (input) {
      input.value = "";
      input.focus();
    }
  }
});

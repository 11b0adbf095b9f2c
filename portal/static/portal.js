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

// After htmx swaps new content in, move focus where the template asks (the newest chat message, an error
// summary, a thank-you panel), so keyboard and screen-reader users land on what changed.
document.body.addEventListener("htmx:afterSettle", () => {
  const target = document.querySelector("[data-focus-after-swap]");
  if (target) {
    target.removeAttribute("data-focus-after-swap");
    target.focus();
  }
});

// The kiosk's confirmation page: "Print a receipt" prints the receipt with the browser's print (the print
// stylesheet shows the receipt only). Without JavaScript the button stays hidden; the words beside it tell
// the visitor to write the reference down or scan the code instead.
(function () {
  "use strict";
  var button = document.querySelector("[data-kiosk-print]");
  if (!button || typeof window.print !== "function") {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
})();

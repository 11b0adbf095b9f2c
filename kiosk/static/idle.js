/*
 * The kiosk's privacy guard (a classic script, no dependencies; loaded on every page in the kiosk layout).
 *
 * - After data-idle-seconds without a touch, key press, input or scroll, a modal "Do you need more time?"
 *   dialog opens with a countdown of data-prompt-seconds. "Yes" keeps the visit; "No", or no answer in
 *   time, finishes it.
 * - Finishing (also the header's Finish button): POST to data-finish-url with the page's CSRF token (the
 *   server deletes the visit's chat, unsent forms and photos and empties the session), clear the browser's
 *   storage, and replace this page with the start screen (location.replace: no new history entry).
 * - No traces: autocomplete="off" on every form and field (the server does the same), every GET form
 *   carries this visit's id (data-visit) so an earlier visitor's search address shows nothing, htmx keeps
 *   no copies of pages for its history, and a page restored from the back-forward cache is reloaded.
 */
(function () {
  "use strict";

  var body = document.body;
  if (!body || !body.hasAttribute("data-kiosk")) {
    return;
  }

  var idleSeconds = Math.max(1, parseInt(body.getAttribute("data-idle-seconds"), 10) || 60);
  var promptSeconds = Math.max(1, parseInt(body.getAttribute("data-prompt-seconds"), 10) || 30);
  var idleActive = body.getAttribute("data-idle-active") !== "false";
  var finishUrl = body.getAttribute("data-finish-url");
  var startUrl = body.getAttribute("data-start-url") || "/kiosk";
  var visit = body.getAttribute("data-visit") || "";

  // --- No traces -----------------------------------------------------------------------------------

  // A page shown again from the back-forward cache is asked for afresh: the server decides what it shows.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });

  if (window.htmx && window.htmx.config) {
    window.htmx.config.historyCacheSize = 0; // no snapshots of pages in the browser's storage
    window.htmx.config.refreshOnHistoryMiss = true; // back and forward ask the server
  }

  function leaveNoTraces(root) {
    var fields = root.querySelectorAll("form, input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      fields[i].setAttribute("autocomplete", "off");
    }
    var forms = root.querySelectorAll("form");
    for (var j = 0; j < forms.length; j++) {
      var form = forms[j];
      var method = (form.getAttribute("method") || "get").toLowerCase();
      if (method === "get" && visit && !form.querySelector('input[name="visit"]')) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "visit";
        input.value = visit;
        form.appendChild(input);
      }
    }
  }
  leaveNoTraces(document);
  document.addEventListener("htmx:afterSettle", function () {
    leaveNoTraces(document);
  });

  // --- Finishing -------------------------------------------------------------------------------------

  var finishing = false;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function forgetInTheBrowser() {
    try {
      window.sessionStorage.clear();
      window.localStorage.clear();
    } catch (error) {
      // storage unavailable: nothing kept there either
    }
  }

  // The page the server sends the visitor to: the start screen, or (the Finish button, whose form says
  // rate=yes) the satisfaction question, asked after the visit is wiped. Only an address on this site.
  function nextPage(response) {
    var url = response && response.redirected ? response.url : "";
    return url.indexOf(window.location.origin + "/") === 0 ? url : startUrl;
  }

  function finish(form) {
    if (finishing) {
      return;
    }
    finishing = true;
    body.classList.add("app-kiosk--finishing");
    var done = function (response) {
      forgetInTheBrowser();
      window.location.replace(nextPage(response));
    };
    if (!finishUrl || !window.fetch) {
      done();
      return;
    }
    var fromForm = form instanceof HTMLFormElement;
    window
      .fetch(finishUrl, {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        redirect: fromForm ? "follow" : "manual",
        headers: { "X-CSRFToken": csrfToken() },
        body: fromForm ? new FormData(form) : undefined,
      })
      .then(done, function () {
        done();
      });
  }

  var finishForms = document.querySelectorAll("form[data-kiosk-finish]");
  for (var k = 0; k < finishForms.length; k++) {
    finishForms[k].addEventListener("submit", function (event) {
      event.preventDefault();
      finish(event.currentTarget);
    });
  }

  // --- Idle prompt -----------------------------------------------------------------------------------

  var dialog = document.getElementById("kiosk-idle");
  var secondsShown = document.getElementById("kiosk-idle-seconds");
  var live = document.getElementById("kiosk-idle-live");
  var moreTime = document.getElementById("kiosk-more-time");
  var finishNow = document.getElementById("kiosk-finish-now");
  var idleTimer = null;
  var countdownTimer = null;
  var secondsLeft = 0;
  var focusBefore = null;

  function promptOpen() {
    return dialog && dialog.open;
  }

  function restartIdleTimer() {
    if (!idleActive || finishing || promptOpen()) {
      return;
    }
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(openPrompt, idleSeconds * 1000);
  }

  function showSecondsLeft() {
    if (secondsShown) {
      secondsShown.textContent = String(secondsLeft);
    }
    // Screen readers hear the countdown now and then, not every second.
    if (live && (secondsLeft === promptSeconds || secondsLeft % 10 === 0 || secondsLeft <= 5)) {
      live.textContent = (live.getAttribute("data-template") || "") + " " + secondsLeft;
    }
  }

  function openPrompt() {
    if (!dialog || typeof dialog.showModal !== "function") {
      finish();
      return;
    }
    focusBefore = document.activeElement;
    secondsLeft = promptSeconds;
    showSecondsLeft();
    dialog.showModal();
    if (moreTime) {
      moreTime.focus();
    }
    countdownTimer = window.setInterval(function () {
      secondsLeft -= 1;
      if (secondsLeft <= 0) {
        window.clearInterval(countdownTimer);
        finish();
        return;
      }
      showSecondsLeft();
    }, 1000);
  }

  function keepVisit() {
    window.clearInterval(countdownTimer);
    if (promptOpen()) {
      dialog.close();
    }
    if (live) {
      live.textContent = "";
    }
    if (focusBefore && typeof focusBefore.focus === "function" && document.contains(focusBefore)) {
      focusBefore.focus();
    }
    restartIdleTimer();
  }

  if (dialog) {
    if (moreTime) {
      moreTime.addEventListener("click", keepVisit);
    }
    if (finishNow) {
      finishNow.addEventListener("click", function () {
        finish();
      });
    }
    // Escape closes a modal dialog: that is an answer too, and it means "more time".
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      keepVisit();
    });
  }

  ["pointerdown", "keydown", "input", "touchstart", "wheel"].forEach(function (name) {
    document.addEventListener(name, restartIdleTimer, { capture: true, passive: true });
  });
  window.addEventListener("scroll", restartIdleTimer, { capture: true, passive: true });
  restartIdleTimer();
})();

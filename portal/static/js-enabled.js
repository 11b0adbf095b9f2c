// GOV.UK Frontend's "js-enabled" marker, as its page template sets it inline; a file here because the
// Content-Security-Policy allows no inline script. Loaded first thing in <body>, before anything is drawn.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");

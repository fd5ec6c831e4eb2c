// A failed submission: move focus to the error summary, so keyboard and screen-reader users
// start from the list of what to fix (autofocus does it where the browser honours it).
(function () {
  var summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
})();

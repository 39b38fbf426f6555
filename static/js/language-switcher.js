/* The language selector in every page's header: choosing a language sends the form at once.
 * Without JavaScript, its "Change" button does. (A script file rather than an onchange
 * attribute: the Content-Security-Policy runs no inline script.) */
(function () {
  "use strict";

  const select = document.getElementById("language-select");
  if (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  }
})();

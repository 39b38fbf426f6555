// The API's documentation page (templates/api/docs.html): Swagger UI drawn from the schema
// named by its container, started here rather than by an inline script, as the site's
// Content-Security-Policy requires.
(function () {
  "use strict";
  var container = document.getElementById("swagger-ui");
  if (!container || typeof window.SwaggerUIBundle === "undefined") {
    return;
  }
  window.SwaggerUIBundle({
    url: container.dataset.schemaUrl,
    domNode: container,
    // No deep links: they are links inside each operation's toggle button, which a screen
    // reader cannot reach as either (WCAG 4.1.2).
    deepLinking: false,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();

// Swagger UI for /api/docs, from the app's own files: no CDN, and no call to the online spec validator.
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  const csrfToken = root.dataset.csrfToken;
  const unsafe = new Set(["POST", "PUT", "PATCH", "DELETE"]);
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    // A browser signed in to the panel calls the API with its session: unsafe requests need the CSRF token.
    requestInterceptor: (request) => {
      if (csrfToken && unsafe.has((request.method || "GET").toUpperCase())) {
        request.headers["X-CSRFToken"] = csrfToken;
      }
      return request;
    },
  });
});

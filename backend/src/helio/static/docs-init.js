// Starts Swagger UI from a file, because the API's CSP forbids inline scripts.
//
// After a cookie sign-in (POST /api/v1/auth/login from this page), unsafe calls
// need the CSRF cookie's value in the X-CSRF-Token header, as the web app sends it.
var HELIO_UNSAFE = ["POST", "PUT", "PATCH", "DELETE"];
var HELIO_CSRF_COOKIES = ["__Host-helio_csrf", "helio_csrf"];

function helioCsrfToken(cookieText) {
  var parts = (cookieText || "").split(";");
  for (var i = 0; i < parts.length; i++) {
    var pair = parts[i].trim();
    var at = pair.indexOf("=");
    if (at > 0 && HELIO_CSRF_COOKIES.indexOf(pair.slice(0, at)) !== -1) {
      return decodeURIComponent(pair.slice(at + 1));
    }
  }
  return null;
}

function helioRequestInterceptor(request, cookieText) {
  var method = String(request.method || "GET").toUpperCase();
  var token = helioCsrfToken(cookieText === undefined ? document.cookie : cookieText);
  if (token && HELIO_UNSAFE.indexOf(method) !== -1) {
    request.headers = request.headers || {};
    request.headers["X-CSRF-Token"] = token;
  }
  return request;
}

if (typeof module !== "undefined" && module.exports) {
  module.exports = { helioCsrfToken: helioCsrfToken, helioRequestInterceptor: helioRequestInterceptor };
}

if (typeof window !== "undefined") {
  window.addEventListener("load", function () {
    window.ui = SwaggerUIBundle({
      url: "/api/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      withCredentials: true,
      requestInterceptor: function (request) {
        return helioRequestInterceptor(request);
      },
    });
  });
}

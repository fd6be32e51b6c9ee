// `/docs`: Swagger UI over /openapi.json, from our own build (the pinned swagger-ui-dist), under
// the pages' strict CSP: no CDN, no inline initializer, nothing fetched but our own origin.
import SwaggerUIBundle from "swagger-ui-dist/swagger-ui-bundle.js";
import "swagger-ui-dist/swagger-ui.css";

SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  // The stock default asks validator.swagger.io for a badge: a third party, and the CSP says no.
  validatorUrl: null,
});

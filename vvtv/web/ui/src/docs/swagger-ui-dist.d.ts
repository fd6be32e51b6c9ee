// swagger-ui-dist ships no types; what /docs uses of its bundle.
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  interface SwaggerUIOptions {
    url: string;
    dom_id: string;
    deepLinking?: boolean;
    validatorUrl?: string | null;
  }
  export default function SwaggerUIBundle(options: SwaggerUIOptions): unknown;
}

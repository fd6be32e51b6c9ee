// The UI is built into vvtv/web/static, which `vvtv serve` serves: index.html for every mode
// route, docs.html at /docs (Swagger UI from the pinned swagger-ui-dist, no CDN), hashed files
// under /assets/ (cached for good, since their names change with content).
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  publicDir: false,
  build: {
    outDir: "../static", // relative to this folder, where npm runs the build
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: true,
    reportCompressedSize: false,
    // Every browser the es2022 target allows knows modulepreload: no polyfill chunk to load.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2048, // Swagger UI's bundle, loaded by /docs alone
    rollupOptions: {
      // Relative to this folder, where npm runs the build (as outDir above).
      input: { index: "index.html", docs: "docs.html" },
    },
  },
  server: {
    // `npm run dev` proxies the API to a local `vvtv serve` (default port).
    proxy: {
      "^/(auth|me|modes|channel|live|sessions|telemetry|blocks|presence|chat|consent|match|healthz|readyz|openapi\\.json|ws)": {
        target: "http://127.0.0.1:8080",
        ws: true,
      },
    },
  },
});

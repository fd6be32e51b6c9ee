// The UI is built into vvtv/web/static, which `vvtv serve` serves: index.html for every mode
// route, hashed files under /assets/ (cached for good, since their names change with content).
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
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `npm run dev` proxies the API to a local `vvtv serve` (default port).
    proxy: {
      "^/(auth|me|modes|channel|live|sessions|telemetry|blocks|healthz|readyz|ws)": {
        target: "http://127.0.0.1:8080",
        ws: true,
      },
    },
  },
});

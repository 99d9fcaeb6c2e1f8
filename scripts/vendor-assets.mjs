// Copies the few built files the panel and the API docs page serve from node_modules into src/entrypoints/static/vendor/,
// so the app works offline and never reaches for a CDN. Run through `npm run vendor` after `npm ci`.
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const vendor = join(root, "src", "entrypoints", "static", "vendor");

// [source under node_modules, target under static/vendor]; source maps travel along for the browser's tools.
const files = [
  ["bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"],
  ["bootstrap/dist/css/bootstrap.min.css.map", "bootstrap/bootstrap.min.css.map"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js.map", "bootstrap/bootstrap.bundle.min.js.map"],
  ["bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"],
  ["bootstrap-icons/font/fonts/bootstrap-icons.woff2", "bootstrap-icons/fonts/bootstrap-icons.woff2"],
  ["bootstrap-icons/font/fonts/bootstrap-icons.woff", "bootstrap-icons/fonts/bootstrap-icons.woff"],
  ["chart.js/dist/chart.umd.min.js", "chartjs/chart.umd.min.js"],
  ["chart.js/dist/chart.umd.min.js.map", "chartjs/chart.umd.min.js.map"],
  // The interactive API docs at /api/docs.
  ["swagger-ui-dist/swagger-ui.css", "swagger-ui/swagger-ui.css"],
  ["swagger-ui-dist/swagger-ui.css.map", "swagger-ui/swagger-ui.css.map"],
  ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"],
  ["swagger-ui-dist/swagger-ui-bundle.js.map", "swagger-ui/swagger-ui-bundle.js.map"],
];

const missing = files.map(([source]) => source).filter((source) => !existsSync(join(modules, source)));
if (missing.length > 0) {
  console.error(`Missing in node_modules (run \`npm ci\` first): ${missing.join(", ")}`);
  process.exit(1);
}

rmSync(vendor, { recursive: true, force: true });
for (const [source, target] of files) {
  const destination = join(vendor, target);
  mkdirSync(dirname(destination), { recursive: true });
  copyFileSync(join(modules, source), destination);
}
console.log(`Copied ${files.length} files into ${vendor}`);

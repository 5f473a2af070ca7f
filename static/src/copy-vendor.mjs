// Copies the NHS.UK frontend's script and images, and axe-core for the accessibility
// tests, from node_modules into static/vendor so the project serves every asset itself.
import { cpSync, mkdirSync } from "node:fs";

const dist = "node_modules/nhsuk-frontend/dist/nhsuk";
mkdirSync("static/vendor/nhsuk", { recursive: true });
cpSync(`${dist}/nhsuk-frontend.min.js`, "static/vendor/nhsuk/nhsuk-frontend.min.js");
cpSync(`${dist}/nhsuk-frontend.min.js.map`, "static/vendor/nhsuk/nhsuk-frontend.min.js.map");
cpSync(`${dist}/assets`, "static/vendor/nhsuk/assets", { recursive: true });

// Chart.js for the dashboards (its UMD build sets window.Chart; static/js/dashboards.mjs draws with it).
mkdirSync("static/vendor/chartjs", { recursive: true });
cpSync("node_modules/chart.js/dist/chart.umd.min.js", "static/vendor/chartjs/chart.umd.min.js");
// The build names its source map; collectstatic's manifest refuses a reference to a missing file.
cpSync("node_modules/chart.js/dist/chart.umd.min.js.map", "static/vendor/chartjs/chart.umd.min.js.map");
cpSync("node_modules/chart.js/LICENSE.md", "static/vendor/chartjs/LICENSE.md");

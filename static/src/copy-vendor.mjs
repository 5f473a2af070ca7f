// Copies the NHS.UK frontend's script and images, and axe-core for the accessibility
// tests, from node_modules into static/vendor so the project serves every asset itself.
import { cpSync, mkdirSync } from "node:fs";

const dist = "node_modules/nhsuk-frontend/dist/nhsuk";
mkdirSync("static/vendor/nhsuk", { recursive: true });
cpSync(`${dist}/nhsuk-frontend.min.js`, "static/vendor/nhsuk/nhsuk-frontend.min.js");
cpSync(`${dist}/nhsuk-frontend.min.js.map`, "static/vendor/nhsuk/nhsuk-frontend.min.js.map");
cpSync(`${dist}/assets`, "static/vendor/nhsuk/assets", { recursive: true });

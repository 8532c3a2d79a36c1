/**
 * A path stored providers require: `dist/provider/inputs.js`, by 0.1.0's provider. Mapped from its old place by package.json's
 * `exports`; see ./README.md.
 */
export { checkInputs } from "../indexing-job/inputs";

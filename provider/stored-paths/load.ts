/**
 * A path stored providers require: `dist/provider/load.js`, by providers serialized from 0.1.1 on (before the stable
 * `pulumi-gradient-indexing/handlers` entry). Mapped from its old place by package.json's
 * `exports`; see ./README.md.
 */
export { loadFromPackage } from "../host/shell";

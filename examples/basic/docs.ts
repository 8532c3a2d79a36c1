/**
 * The docs folder and its content hash, the IndexingJob's trigger: the hash changes exactly when a doc is
 * added, removed, renamed or edited, so nothing else reindexes the knowledge base.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Doc {
  /** File name, also the object's key under `docs/` in the bucket. */
  name: string;
  content: string;
}

/** The folder's Markdown files, sorted by name so that directory order never changes the hash. */
export function readDocs(dir: string): Doc[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => ({ name, content: fs.readFileSync(path.join(dir, name), "utf8") }));
}

/** sha256 over the sorted file names and contents, each length-prefixed so no two folders collide. */
export function contentHash(docs: readonly Doc[]): string {
  const hash = createHash("sha256");
  for (const doc of [...docs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    for (const part of [doc.name, doc.content]) {
      hash.update(`${Buffer.byteLength(part)}:`).update(part);
    }
  }
  return hash.digest("hex");
}

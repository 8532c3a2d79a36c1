/**
 * How a serialized provider reaches the library: by the package's name, when Pulumi's host calls it.
 * The host runs in the Pulumi project and resolves the name from the project's node_modules, whether
 * the package was installed from npm, a directory, a link or a workspace; so the text Pulumi stores
 * (`__provider`) holds a few kilobytes and never the library's code.
 */

/**
 * Loads a module of the installed package by its full name, or says clearly that the package is not
 * installed. The name arrives as an argument so that bundlers leave the require to run time.
 */
export function loadFromPackage<T>(name: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw new Error(
      `The pulumi-gradient-indexing provider could not load ${name} from ${process.cwd()}: is ` +
        `pulumi-gradient-indexing installed in this Pulumi project (npm install pulumi-gradient-indexing)? ${text}`,
    );
  }
}

/**
 * What the provider tells the person running `pulumi up`. Lines go to the console: inside a dynamic
 * provider `pulumi.log` falls back to it anyway, and the Pulumi CLI (3.146+) shows a provider's console
 * output as info.
 */
export type Print = (line: string) => void;

export const consolePrint: Print = (line) => console.log(line);

/** `3f2a9c1e…` : enough of a UUID to tell jobs apart in a transcript; errors give the whole one. */
export function shortId(uuid: string | undefined): string {
  return uuid ? `${uuid.slice(0, 8)}…` : "(no id)";
}

/**
 * The baseline for P2's memory figure: a dynamic provider that does nothing but HTTP requests to the
 * simulator (as many per Create as ours made), run in the same Pulumi host under the same load. What it
 * costs is the host's own footprint, which no provider can go below.
 */
type Props = Record<string, unknown>;

export const controlProvider = {
  async create(inputs: Props): Promise<{ id: string; outs: Props }> {
    const requests = Number(inputs.requests);
    for (let i = 0; i < requests; i++) {
      const answer = await fetch(String(inputs.url), {
        headers: { authorization: `Bearer ${String(inputs.token)}` },
      });
      await answer.text();
      await new Promise((resolve) => setTimeout(resolve, Number(inputs.pauseMs)));
    }
    return { id: String(inputs.name), outs: {} };
  },
};

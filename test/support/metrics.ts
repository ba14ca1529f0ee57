/**
 * A sample in a service's Prometheus `/metrics`: the sum of every series of `name` whose labels include
 * `labels` (so a partial set adds up the rest), null when none does.
 */
export async function metricSample(
  baseUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | null> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      sum = (sum ?? 0) + Number(line.split(' ').pop());
  }
  return sum;
}

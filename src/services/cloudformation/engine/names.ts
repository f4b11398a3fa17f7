const NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** <stack>-<logical>-<12 random>, both parts shortened to fit, as AWS names what it creates. */
export function physicalName(stackName: string, logicalId: string, max: number): string {
  let suffix = "";
  for (let i = 0; i < 12; i++) suffix += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  const budget = Math.max(2, max - suffix.length - 2);
  let a = stackName;
  let b = logicalId;
  while (a.length + b.length > budget) {
    if (a.length >= b.length) a = a.slice(0, -1);
    else b = b.slice(0, -1);
  }
  return `${a}-${b}-${suffix}`;
}

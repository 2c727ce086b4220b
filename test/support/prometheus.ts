/**
 * A strict reader of the Prometheus text exposition format (0.0.4), enough to prove that
 * `/metrics` parses: every sample line is `name{labels} value`, every metric family has a TYPE.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const namePattern = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const sampleLine = new RegExp(`^(${namePattern})(?:\\{(.*)\\})? (\\S+)(?: \\d+)?$`);
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  const typed = new Set<string>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (!name || !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type ?? ''))
        throw new Error(`line ${index + 1}: bad TYPE: ${line}`);
      typed.add(name);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = sampleLine.exec(line);
    if (!match) throw new Error(`line ${index + 1}: not a sample: ${line}`);
    const [, name = '', rawLabels = '', rawValue = ''] = match;
    const value = rawValue === '+Inf' ? Infinity : rawValue === '-Inf' ? -Infinity : Number(rawValue);
    if (Number.isNaN(value) && rawValue !== 'NaN') throw new Error(`line ${index + 1}: bad value: ${line}`);
    const family = name.replace(/_(bucket|sum|count|total|created)$/, '');
    if (!typed.has(name) && !typed.has(family)) throw new Error(`line ${index + 1}: sample without TYPE: ${name}`);
    const labels: Record<string, string> = {};
    labelPair.lastIndex = 0;
    while (labelPair.lastIndex < rawLabels.length) {
      const pair = labelPair.exec(rawLabels);
      if (!pair) throw new Error(`line ${index + 1}: bad labels: ${rawLabels}`);
      labels[pair[1]!] = pair[2]!;
    }
    samples.push({ name, labels, value });
  }
  return samples;
}

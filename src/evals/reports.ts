/** A run's results for CI: JSON for machines, Markdown for people (PR comments), JUnit XML for test dashboards. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunSummary } from './aggregate.js';
import type { RunComparison } from './compare.js';
import type { GateResult } from './gates.js';

export interface RunReport {
  summary: RunSummary;
  gates: GateResult[];
  comparison?: RunComparison | undefined;
}

function number(value: number | null, digits = 4): string {
  if (value === null) return 'n/a';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

export function markdownReport(report: RunReport): string {
  const { summary } = report;
  const lines = [`# Evaluation run \`${summary.run_id}\` — ${summary.experiment}`, ''];
  const confidence = Math.round(summary.bootstrap.confidence * 100);
  for (const variant of summary.variants) {
    lines.push(`## ${variant.variant} (\`${variant.model}\`)`, '');
    lines.push(
      `${variant.items} items, ${variant.errors} errors · latency p50 ${number(variant.latency_ms.p50, 0)} ms, p95 ${number(variant.latency_ms.p95, 0)} ms · cost ${variant.cost_usd === null ? 'n/a' : `$${variant.cost_usd.toFixed(6)}`} · tokens ${variant.tokens.input} in / ${variant.tokens.output} out`,
      '',
    );
    lines.push(`| score | mean | ${confidence}% CI | n |`, '| --- | ---: | --- | ---: |');
    for (const [key, interval] of Object.entries(variant.scores)) {
      lines.push(`| ${key} | ${number(interval.mean)} | [${number(interval.low)}, ${number(interval.high)}] | ${interval.n} |`);
    }
    lines.push('');
  }
  if (report.gates.length > 0) {
    lines.push('## Gates', '', '| gate | variant | result | detail |', '| --- | --- | --- | --- |');
    for (const gate of report.gates)
      lines.push(`| \`${gate.gate}\` | ${gate.variant} | ${gate.passed ? 'pass' : '**FAIL**'} | ${gate.message} |`);
    lines.push('');
  }
  const comparison = report.comparison;
  if (comparison) {
    lines.push(`## Compared with ${comparison.baseline.run} (${comparison.baseline.variant}), ${comparison.paired_items} paired items`, '');
    lines.push('| score | Δ mean | CI | p | wins / losses / ties |', '| --- | ---: | --- | ---: | --- |');
    for (const [key, paired] of Object.entries(comparison.metrics)) {
      lines.push(
        `| ${key} | ${number(paired.meanDifference)} | [${number(paired.low)}, ${number(paired.high)}] | ${number(paired.pValue, 3)} | ${paired.wins} / ${paired.losses} / ${paired.ties} |`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One test case per gate and variant; a failed gate is a `<failure>`. */
export function junitReport(report: RunReport): string {
  const failures = report.gates.filter((gate) => !gate.passed).length;
  const name = xml(`fener eval ${report.summary.experiment}`);
  const cases = report.gates.map((gate) => {
    const attributes = `classname="${xml(`${report.summary.experiment}.${gate.variant}`)}" name="${xml(gate.gate)}"`;
    return gate.passed
      ? `    <testcase ${attributes}/>`
      : `    <testcase ${attributes}>\n      <failure message="${xml(gate.message)}" type="gate"/>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${name}" tests="${report.gates.length}" failures="${failures}">`,
    `  <testsuite name="${name}" tests="${report.gates.length}" failures="${failures}" errors="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Writes `results.json`, `report.md` and `junit.xml` into `directory` (created if missing). */
export async function writeReports(directory: string, report: RunReport): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const files: [string, string][] = [
    ['results.json', `${JSON.stringify(report, null, 2)}\n`],
    ['report.md', markdownReport(report)],
    ['junit.xml', junitReport(report)],
  ];
  for (const [name, content] of files) await writeFile(join(directory, name), content);
  return files.map(([name]) => join(directory, name));
}

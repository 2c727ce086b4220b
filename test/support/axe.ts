/**
 * axe-core (Deque's rules engine) run in a page: the WCAG 2.1 A/AA violations of serious or
 * critical impact, for the accessibility test of every page and for forms that only unfold
 * after a click (a test opens them, then checks).
 */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export async function violations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: axeSource });
  // A string, so that this Node-side file needs no DOM types: it runs in the page.
  const found = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((result) => result.violations)`,
  )) as AxeViolation[];
  return found.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

export function describeViolations(list: AxeViolation[]): string {
  return list
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help}\n  ${violation.nodes.map((node) => node.target.join(' ')).join('\n  ')}`,
    )
    .join('\n');
}

import { readFileSync } from 'node:fs';
import type { Frame, Page } from 'playwright-core';

/**
 * axe-core in a real page. The tool's CSP (script-src 'self') refuses injected scripts, so pages
 * checked with this helper must come from a context created with `bypassCSP: true`.
 */
let source: string | undefined;
const axeSource = (): string => (source ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; html: string; failureSummary?: string }>;
}

/** WCAG 2.0/2.1 A and AA rules on the whole document (minus `skipRules`); returns every violation found. */
export async function runAxe(target: Page | Frame, skipRules: string[] = []): Promise<AxeViolation[]> {
  if (!(await target.evaluate("typeof window.axe !== 'undefined'"))) await target.addScriptTag({ content: axeSource() });
  // A string, not a function: the project compiles without the DOM library.
  const rules = JSON.stringify(Object.fromEntries(skipRules.map((id) => [id, { enabled: false }])));
  return target.evaluate(`(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'], rules: ${rules},
    });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
    }));
  })()`) as Promise<AxeViolation[]>;
}

/** Only what the issue forbids: serious and critical violations. */
export async function seriousViolations(target: Page | Frame, skipRules: string[] = []): Promise<AxeViolation[]> {
  return (await runAxe(target, skipRules)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A readable list for a failing expectation. */
export function describeViolations(page: string, violations: AxeViolation[]): string {
  return violations
    .map((v) => `${page}: [${v.impact ?? '?'}] ${v.id} — ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}  ${n.html.slice(0, 160)}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''}`).join('\n')}`)
    .join('\n');
}

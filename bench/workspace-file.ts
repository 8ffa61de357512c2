/**
 * How long reading a large workspace file takes, stage by stage: YAML parsing, conversion,
 * the rule checks, the schema check. A generated file of many segments, 437 KiB by default
 * (`WORKSPACE_KB` to change); then a file whose one mapping holds 20,000 keys (692 KiB), the
 * shape yaml's own duplicate-key check took quadratic time on. Prints figures; asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import { Value } from 'typebox/value';
import { LineCounter, parseDocument } from 'yaml';
import { collectRuleIssues } from '../src/workspace/collect-rule-issues.ts';
import { parseWorkspaceYaml } from '../src/workspace/load-workspace.ts';
import { WorkspaceFileSchema } from '../src/workspace/workspace-schema.ts';
import { largeWorkspaceYaml, wideMappingWorkspaceYaml } from '../test/support/large-workspace.ts';

const kb = Number(process.env.WORKSPACE_KB ?? 437);
const text = largeWorkspaceYaml(kb);

function time<T>(label: string, run: () => T): T {
  const started = performance.now();
  const result = run();
  console.log(`  ${label.padEnd(28)} ${(performance.now() - started).toFixed(0).padStart(6)} ms`);
  return result;
}

console.log(`workspace file: ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB`);
for (const round of [1, 2]) {
  console.log(`round ${round}`);
  const document = time('yaml parseDocument', () =>
    parseDocument(text, { lineCounter: new LineCounter(), prettyErrors: false, uniqueKeys: true }),
  );
  const value = time('document.toJS', () => document.toJS());
  time('collectRuleIssues', () => collectRuleIssues(value));
  time('schema check', () => Value.Check(WorkspaceFileSchema, value));
  time('parseWorkspaceYaml (all)', () => parseWorkspaceYaml({ text }));
}

const wide = wideMappingWorkspaceYaml(20_000);
console.log(`one mapping of 20,000 keys: ${(Buffer.byteLength(wide) / 1024).toFixed(0)} KiB`);
time('parseWorkspaceYaml (all)', () => parseWorkspaceYaml({ text: wide }));

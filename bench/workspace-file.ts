/**
 * How long parsing and validating a large workspace file takes: a generated file of many
 * segments (about 437 KB by default, `WORKSPACE_KB` to change), timed stage by stage. Prints
 * figures; asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import { LineCounter, parseDocument } from 'yaml';
import { parseWorkspaceYaml } from '../src/workspace/load-workspace.ts';

/** A workspace file of `count` segments, each with a small condition over traits and computed traits. */
export function largeWorkspaceYaml(count: number): string {
  const lines = [
    'workspace:',
    '  id: big',
    '  name: Big workspace',
    'computed_traits:',
    '  - key: orders',
    '    aggregate: count',
    '    events: [Order Completed]',
    'segments:',
  ];
  for (let i = 0; i < count; i += 1) {
    lines.push(
      `  - key: segment_${i}`,
      `    name: Segment number ${i} of the generated workspace`,
      '    when:',
      '      $and:',
      `        - traits.city: { $in: [Bangalore, Mumbai, Delhi, city_${i}] }`,
      `        - computed.orders: { $gte: ${i % 7} }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const targetKb = Number(process.env.WORKSPACE_KB ?? 437);
let count = 100;
while (Buffer.byteLength(largeWorkspaceYaml(count)) < targetKb * 1024) count += 100;
const text = largeWorkspaceYaml(count);
const time = (label: string, run: () => unknown): void => {
  const started = performance.now();
  run();
  console.log(`${label}: ${(performance.now() - started).toFixed(0)} ms`);
};
console.log(`workspace file: ${(Buffer.byteLength(text) / 1024).toFixed(0)} KB, ${count} segments`);
time('yaml parseDocument', () => parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: true }));
time('parseWorkspaceYaml (parse + validate + map)', () => parseWorkspaceYaml({ text }));

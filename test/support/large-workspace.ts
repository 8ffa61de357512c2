/**
 * A valid workspace file of about `kb` KiB: many segments, each a small condition over a trait
 * and a computed trait, the shape of a workspace grown by hand or by a script. For the size
 * limit's tests and the workspace-file benchmark.
 */
export function largeWorkspaceYaml(kb: number): string {
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
  let bytes = lines.join('\n').length;
  for (let i = 0; bytes < kb * 1024; i += 1) {
    const segment = [
      `  - key: segment_${i}`,
      `    name: Segment number ${i} of the generated workspace`,
      '    when:',
      '      $and:',
      `        - traits.city: { $in: [Bangalore, Mumbai, Delhi, city_${i}] }`,
      `        - computed.orders: { $gte: ${i % 7} }`,
    ];
    lines.push(...segment);
    bytes += segment.join('\n').length + 1;
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A valid workspace file whose `identity.types` mapping holds `count` custom identifier types:
 * one mapping of many keys, the shape that made duplicate-key checking quadratic.
 */
export function wideMappingWorkspaceYaml(count: number): string {
  const lines = ['workspace:', '  id: wide', '  name: Wide workspace', 'identity:', '  types:'];
  for (let i = 0; i < count; i += 1) lines.push(`    custom_type_${i}: { limit: 1 }`);
  return `${lines.join('\n')}\n`;
}

import { type Document, isMap, isNode, isScalar, isSeq } from 'yaml';
import type { WorkspaceIssue } from './workspace-issue.ts';

/**
 * Where an issue is in the YAML source, as a character offset: the key itself for `at: 'key'`, else the value. A path
 * that goes past what the document holds (a missing field) stops at the deepest node that
 * exists, which is the mapping that should hold the field.
 */
export function issueOffset(document: Document, issue: WorkspaceIssue): number {
  let node: unknown = document.contents;
  let offset = startOf(node) ?? 0;
  for (let i = 0; i < issue.path.length; i += 1) {
    const segment = issue.path[i];
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(segment));
      if (pair === undefined) break;
      if (i === issue.path.length - 1 && issue.at === 'key') {
        offset = startOf(pair.key) ?? offset;
        break;
      }
      node = pair.value;
      offset = startOf(pair.value) ?? startOf(pair.key) ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) break;
      node = item;
      offset = startOf(item) ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function startOf(node: unknown): number | undefined {
  return isNode(node) ? node.range?.[0] : undefined;
}

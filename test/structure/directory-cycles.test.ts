import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The folders of `src/` are the stages of the pipeline and the edges around them; a folder that
 * imports another, which imports it back (directly or through others), has no place in that
 * order. Every relative import counts, type-only ones too: a type is a dependency a reader has
 * to follow.
 */

const SRC = resolve(import.meta.dirname, '../../src');

/** `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`, relative ones only. */
const IMPORT =
  /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"](\.[^'"]+)['"]|^\s*import\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The node a file belongs to: its top-level folder, or the file itself when it sits in `src/`. */
function nodeOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length === 1 ? (parts[0] ?? file) : `${parts[0]}/`;
}

/** For each import between two nodes, one example (`importer → imported`) to name in a failure. */
function directoryGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = nodeOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (specifier === undefined) continue;
      const target = resolve(dirname(file), specifier);
      const to = nodeOf(target);
      if (to !== from && !edges.has(to)) edges.set(to, `${relative(SRC, file)} → ${relative(SRC, target)}`);
    }
  }
  return graph;
}

/** One cycle of the graph as the list of its nodes (first repeated last), or undefined. */
function findCycle(graph: Map<string, Map<string, string>>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const at = path.indexOf(node);
    if (at >= 0) return [...path.slice(at), node];
    if (done.has(node)) return undefined;
    path.push(node);
    for (const next of [...(graph.get(node)?.keys() ?? [])].sort()) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(node);
    return undefined;
  };
  for (const node of [...graph.keys()].sort()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('src/ directories', () => {
  it('finds the imports it is meant to read', () => {
    const graph = directoryGraph();
    expect(graph.get('engine/')?.has('store/')).toBe(true);
    expect(graph.get('http/')?.has('engine/')).toBe(true);
  });

  it('import each other in one direction only (no cycles)', () => {
    const graph = directoryGraph();
    const cycle = findCycle(graph);
    const described = cycle?.slice(1).map((to, i) => {
      const from = cycle[i] ?? '';
      return `${from} → ${to}  (${graph.get(from)?.get(to)})`;
    });
    expect(described, 'a cycle between src/ directories').toBeUndefined();
  });
});

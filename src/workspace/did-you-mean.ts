/**
 * The candidate a mistyped word was most likely meant to be, for "did you mean" hints in
 * validation messages; undefined when nothing is close. Case, `_` and `-` are ignored first
 * (so `eventTypes` finds `event_types`), then up to one edit per three characters is allowed.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const loose = looseForm(word);
  const exact = candidates.find((candidate) => looseForm(candidate) === loose);
  if (exact !== undefined) return exact;
  const budget = Math.max(1, Math.floor(loose.length / 3));
  let best: string | undefined;
  let bestDistance = budget + 1;
  for (const candidate of candidates) {
    const distance = editDistance(loose, looseForm(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function looseForm(word: string): string {
  return word.toLowerCase().replace(/[_\-\s]/g, '');
}

/** Levenshtein distance with adjacent transpositions counted as one edit (`widnow` → `window`). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const previous = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      }
      row.push(value);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
